// Pure builders for every Kubernetes object the operator owns for one RedisShardCluster.
//
// Why a StatefulSet per shard (and not one for the whole cluster, nor bare pods): each shard is a
// failure group whose members must never share a node and may lose only one member at a time, so
// the shard is the unit for anti-affinity and the PodDisruptionBudget. A StatefulSet gives every
// member a stable name and DNS identity (<cluster>-<shard>-<ordinal>.<cluster>-nodes), a PVC that
// follows the member across reschedules (nodes.conf keeps its node ID), and recreation by the
// control plane even while the operator is down. updateStrategy OnDelete leaves the order of a
// rolling update to the operator (replicas first, masters after a failover), and parallel pod
// management lets a restart of every pod at once come back without ordinal-by-ordinal waiting.
import type {
  V1Affinity,
  V1Container,
  V1OwnerReference,
  V1PodDisruptionBudget,
  V1Service,
  V1StatefulSet,
  V1Toleration,
  V1Volume,
} from '@kubernetes/client-node';
import { API_VERSION, KIND, type Spec } from '../../api/v1alpha1.js';
import { nodeArgs, type Announce } from '../platform.js';

export const FIELD_MANAGER = 'redshard-operator';
export const CLIENT_PORT = 6379;
export const BUS_PORT = 16379;
export const DATA_DIR = '/data';
export const PASSWORD_ENV = 'REDSHARD_PASSWORD';
/** The container running the node in every member pod. */
export const NODE_CONTAINER = 'node';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_CLUSTER = 'redshard.io/cluster';
export const LABEL_SHARD = 'redshard.io/shard';
export const MANAGED_BY = 'redshard-operator';

/** The parts of a RedisShardCluster the builders need. */
export interface Owner {
  name: string;
  namespace: string;
  uid: string;
}

export function ownerReference(o: Owner): V1OwnerReference {
  return { apiVersion: API_VERSION, kind: KIND, name: o.name, uid: o.uid, controller: true, blockOwnerDeletion: true };
}

export function clusterLabels(cluster: string): Record<string, string> {
  return {
    [LABEL_NAME]: 'redshard',
    [LABEL_INSTANCE]: cluster,
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_CLUSTER]: cluster,
  };
}

export function shardSelector(cluster: string, shard: number): Record<string, string> {
  return { [LABEL_CLUSTER]: cluster, [LABEL_SHARD]: String(shard) };
}

export function headlessServiceName(cluster: string): string {
  return `${cluster}-nodes`;
}

export function statefulSetName(cluster: string, shard: number): string {
  return `${cluster}-${shard}`;
}

function meta(o: Owner, name: string, labels: Record<string, string>) {
  return { name, namespace: o.namespace, labels, ownerReferences: [ownerReference(o)] };
}

/**
 * Which program an image runs. Official `redis` images start redis-server; every other image is
 * assumed to be redshard's own, whose second entrypoint is redshard-node. Both accept the same
 * redis-server style arguments.
 */
export function nodeCommand(image: string): string {
  const withoutDigest = image.split('@')[0]!;
  const lastPart = withoutDigest.split('/').pop()!;
  const repo = lastPart.split(':')[0]!;
  return repo === 'redis' || repo === 'redis-server' || repo === 'valkey' ? (repo === 'valkey' ? 'valkey-server' : 'redis-server') : 'redshard-node';
}

export function nodeContainer(o: Owner, spec: Spec): V1Container {
  const env: V1Container['env'] = [
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ];
  if (spec.auth) env.push({ name: PASSWORD_ENV, valueFrom: { secretKeyRef: { name: spec.auth.secretName, key: spec.auth.key } } });
  // $(VAR) references are expanded by the kubelet, so the password never appears in the pod spec
  // and each pod binds and announces its own address.
  const args = nodeArgs(spec, {
    bind: '$(POD_IP)',
    port: CLIENT_PORT,
    dir: DATA_DIR,
    announceIp: '$(POD_IP)',
    announceHostname: `$(POD_NAME).${headlessServiceName(o.name)}.$(POD_NAMESPACE).svc`,
    password: spec.auth ? `$(${PASSWORD_ENV})` : null,
  });
  const resources: V1Container['resources'] = {};
  if (spec.resources?.requests) resources.requests = { ...spec.resources.requests };
  if (spec.resources?.limits) resources.limits = { ...spec.resources.limits };
  return {
    name: NODE_CONTAINER,
    image: spec.image,
    imagePullPolicy: 'IfNotPresent',
    command: [nodeCommand(spec.image)],
    args,
    env,
    ports: [
      { name: 'client', containerPort: CLIENT_PORT, protocol: 'TCP' },
      { name: 'bus', containerPort: BUS_PORT, protocol: 'TCP' },
    ],
    // TCP probes on the pod address: they need nothing inside the image and do not depend on
    // cluster state (a member must be Ready before the operator can introduce it).
    readinessProbe: { tcpSocket: { port: 'client' }, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: 'client' }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 6 },
    resources,
    volumeMounts: [{ name: 'data', mountPath: DATA_DIR }],
  };
}

/** The operator's anti-affinity (members of one shard on different nodes) merged with the user's. */
export function podAffinity(cluster: string, shard: number, user?: Record<string, unknown>): V1Affinity {
  const base = (user ?? {}) as V1Affinity;
  const required = [
    ...(base.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    { labelSelector: { matchLabels: shardSelector(cluster, shard) }, topologyKey: 'kubernetes.io/hostname' },
  ];
  return { ...base, podAntiAffinity: { ...base.podAntiAffinity, requiredDuringSchedulingIgnoredDuringExecution: required } };
}

/**
 * A StatefulSet runs the contiguous ordinals [start, start + replicas); moving start lets a shard
 * lose its lowest member as well as its highest one (spec.ordinals, GA since Kubernetes 1.31).
 */
export function buildStatefulSet(o: Owner, spec: Spec, shard: number, replicas: number, start = 0): V1StatefulSet {
  const labels = { ...clusterLabels(o.name), [LABEL_COMPONENT]: 'node', [LABEL_SHARD]: String(shard) };
  const volumes: V1Volume[] = spec.storage ? [] : [{ name: 'data', emptyDir: {} }];
  const podSpec: NonNullable<V1StatefulSet['spec']>['template']['spec'] = {
    containers: [nodeContainer(o, spec)],
    volumes,
    affinity: podAffinity(o.name, shard, spec.pod?.affinity),
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { [LABEL_CLUSTER]: o.name } },
      },
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { [LABEL_CLUSTER]: o.name } },
      },
    ],
    // A node saves nodes.conf and flushes its append-only file on SIGTERM.
    terminationGracePeriodSeconds: 30,
    enableServiceLinks: false,
  };
  if (spec.pod?.tolerations) podSpec.tolerations = spec.pod.tolerations as V1Toleration[];
  if (spec.pod?.nodeSelector) podSpec.nodeSelector = { ...spec.pod.nodeSelector };
  if (spec.pod?.priorityClassName) podSpec.priorityClassName = spec.pod.priorityClassName;
  const set: V1StatefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(o, statefulSetName(o.name, shard), labels),
    spec: {
      replicas,
      ordinals: { start },
      serviceName: headlessServiceName(o.name),
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'OnDelete' },
      selector: { matchLabels: shardSelector(o.name, shard) },
      template: { metadata: { labels }, spec: podSpec },
    },
  };
  if (spec.storage) {
    set.spec!.volumeClaimTemplates = [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data', labels },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: spec.storage.size } },
          ...(spec.storage.storageClassName ? { storageClassName: spec.storage.storageClassName } : {}),
        },
      },
    ];
    set.spec!.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' };
  }
  return set;
}

/** Headless Service: stable per-member DNS names; includes members that are not Ready yet. */
export function buildHeadlessService(o: Owner): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(o, headlessServiceName(o.name), { ...clusterLabels(o.name), [LABEL_COMPONENT]: 'nodes' }),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { [LABEL_CLUSTER]: o.name },
      ports: [
        { name: 'client', port: CLIENT_PORT, targetPort: 'client' },
        { name: 'bus', port: BUS_PORT, targetPort: 'bus' },
      ],
    },
  };
}

/** The address clients start from; cluster redirections then take them to each member. */
export function buildClientService(o: Owner): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(o, o.name, { ...clusterLabels(o.name), [LABEL_COMPONENT]: 'client' }),
    spec: {
      type: 'ClusterIP',
      selector: { [LABEL_CLUSTER]: o.name },
      ports: [{ name: 'client', port: CLIENT_PORT, targetPort: 'client' }],
    },
  };
}

/** At most one member of a shard down by choice (drain, eviction). */
export function buildPodDisruptionBudget(o: Owner, shard: number): V1PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(o, statefulSetName(o.name, shard), { ...clusterLabels(o.name), [LABEL_SHARD]: String(shard) }),
    spec: { maxUnavailable: 1, selector: { matchLabels: shardSelector(o.name, shard) } },
  };
}

/** Parses <cluster>-<shard>-<ordinal> back into its numbers (null when the name is not a member's). */
export function parseMemberName(cluster: string, name: string): { shard: number; ordinal: number } | null {
  if (!name.startsWith(`${cluster}-`)) return null;
  const m = /^(\d+)-(\d+)$/.exec(name.slice(cluster.length + 1));
  return m ? { shard: Number(m[1]), ordinal: Number(m[2]) } : null;
}

export interface OrdinalRange {
  start: number;
  replicas: number;
}

/** The range after ensuring these ordinals exist: the current range widened, never narrowed. */
export function widenRange(current: OrdinalRange | null, ordinals: readonly number[]): OrdinalRange {
  let lo = current && current.replicas > 0 ? current.start : Infinity;
  let hi = current && current.replicas > 0 ? current.start + current.replicas : -Infinity;
  for (const o of ordinals) {
    lo = Math.min(lo, o);
    hi = Math.max(hi, o + 1);
  }
  return lo === Infinity ? { start: 0, replicas: 0 } : { start: lo, replicas: hi - lo };
}

/**
 * How a StatefulSet sheds one ordinal: from either end of its range the range shrinks; an ordinal
 * in the middle cannot leave (its pod would be recreated), which the caller reports.
 */
export function shrinkRange(current: OrdinalRange, ordinal: number): OrdinalRange | 'not-in-range' | 'middle' {
  const end = current.start + current.replicas - 1;
  if (ordinal < current.start || ordinal > end) return 'not-in-range';
  if (ordinal === end) return { start: current.start, replicas: current.replicas - 1 };
  if (ordinal === current.start) return { start: current.start + 1, replicas: current.replicas - 1 };
  return 'middle';
}

/** The label the StatefulSet controller puts on each pod with its own name. */
export const LABEL_POD_NAME = 'statefulset.kubernetes.io/pod-name';
export const COMPONENT_EXTERNAL = 'external';

export function externalServiceName(member: string): string {
  return `${member}-ext`;
}

/** Fixed client node port of a member: its own entry first, then nodePortBase + its index. */
export function fixedNodePort(spec: Spec, member: string, index: number | null): number | undefined {
  const ea = spec.externalAccess;
  if (ea?.type !== 'NodePort') return undefined;
  const own = ea.members?.find((m) => m.name === member)?.nodePort;
  if (own !== undefined) return own;
  return ea.nodePortBase !== undefined && index !== null ? ea.nodePortBase + index : undefined;
}

/**
 * One Service per member for clients outside the cluster, selecting exactly that pod. It carries
 * the bus port as well, so the member is complete behind it (a load balancer in front of both is
 * what a user would route another cluster's nodes through), although the nodes themselves talk
 * over pod addresses. Not-ready pods stay published: a node must be reachable while it joins.
 */
export function buildExternalService(o: Owner, spec: Spec, member: string, index: number | null): V1Service {
  const ea = spec.externalAccess;
  if (!ea) throw new Error('buildExternalService without spec.externalAccess');
  const node = fixedNodePort(spec, member, index);
  const shard = parseMemberName(o.name, member)?.shard;
  const labels = {
    ...clusterLabels(o.name),
    [LABEL_COMPONENT]: COMPONENT_EXTERNAL,
    ...(shard !== undefined ? { [LABEL_SHARD]: String(shard) } : {}),
    [LABEL_POD_NAME]: member,
  };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { ...meta(o, externalServiceName(member), labels), ...(ea.annotations ? { annotations: { ...ea.annotations } } : {}) },
    spec: {
      type: ea.type,
      publishNotReadyAddresses: true,
      selector: { [LABEL_CLUSTER]: o.name, [LABEL_POD_NAME]: member },
      ports: [
        { name: 'client', port: CLIENT_PORT, targetPort: 'client', protocol: 'TCP', ...(node !== undefined ? { nodePort: node } : {}) },
        { name: 'bus', port: BUS_PORT, targetPort: 'bus', protocol: 'TCP' },
      ],
    },
  };
}

/** The hostname a member announces when external access is off (what its start arguments say). */
export function internalHostname(o: { name: string; namespace: string }, member: string): string {
  return `${member}.${headlessServiceName(o.name)}.${o.namespace}.svc`;
}

/** The parts of a Kubernetes Node's status external access reads. */
export interface NodeAddresses {
  addresses?: { type: string; address: string }[];
}

/**
 * What a member announces (pure). LoadBalancer: the member's fixed host, else the first ingress
 * hostname or IP, on the Service port; pending until the cloud controller sets the ingress.
 * NodePort: the fixed host, else the pod's Kubernetes node's ExternalIP, ExternalDNS, InternalIP
 * (in that order), else the pod's hostIP, with the allocated node port. The announced IP stays the
 * pod IP either way (the bus and replication use it), so clients get the address as hostname with
 * cluster-preferred-endpoint-type hostname.
 */
export function externalAnnounce(
  spec: Spec,
  member: string,
  service: V1Service | undefined,
  hostIP: string | undefined,
  node: NodeAddresses | undefined,
): Announce {
  const ea = spec.externalAccess;
  if (!ea) throw new Error('externalAnnounce without spec.externalAccess');
  const fixed = ea.members?.find((m) => m.name === member)?.host;
  if (!service) return { pending: `Service ${externalServiceName(member)} does not exist yet` };
  const client = service.spec?.ports?.find((p) => p.name === 'client');
  if (ea.type === 'LoadBalancer') {
    if (service.spec?.type !== 'LoadBalancer') return { pending: `Service ${externalServiceName(member)} is not of type LoadBalancer yet` };
    const port = client?.port ?? CLIENT_PORT;
    if (fixed) return { hostname: fixed, port, endpoint: 'hostname', external: true };
    const ingress = service.status?.loadBalancer?.ingress ?? [];
    const host = ingress.map((i) => i.hostname || i.ip).find((h): h is string => !!h);
    if (!host) return { pending: `waiting for the load balancer of Service ${externalServiceName(member)} to get an address` };
    return { hostname: host, port, endpoint: 'hostname', external: true };
  }
  if (service.spec?.type !== 'NodePort') return { pending: `Service ${externalServiceName(member)} is not of type NodePort yet` };
  const port = client?.nodePort;
  if (!port) return { pending: `Service ${externalServiceName(member)} has no node port allocated yet` };
  if (fixed) return { hostname: fixed, port, endpoint: 'hostname', external: true };
  const addrs = node?.addresses ?? [];
  const host =
    addrs.find((a) => a.type === 'ExternalIP')?.address ??
    addrs.find((a) => a.type === 'ExternalDNS')?.address ??
    addrs.find((a) => a.type === 'InternalIP')?.address ??
    hostIP;
  if (!host) return { pending: `${member} is not on a Kubernetes node yet` };
  return { hostname: host, port, endpoint: 'hostname', external: true };
}

/** Whether an existing external Service differs from the one wanted in a way that matters (pure). */
export function externalServiceDrifted(want: V1Service, have: V1Service | undefined): boolean {
  if (!have) return true;
  if (have.spec?.type !== want.spec?.type) return true;
  if (JSON.stringify(have.spec?.selector ?? {}) !== JSON.stringify(want.spec?.selector ?? {})) return true;
  for (const p of want.spec?.ports ?? []) {
    const q = have.spec?.ports?.find((x) => x.name === p.name);
    if (!q || q.port !== p.port) return true;
    if (p.nodePort !== undefined && q.nodePort !== p.nodePort) return true;
  }
  for (const [k, v] of Object.entries(want.metadata?.annotations ?? {})) if (have.metadata?.annotations?.[k] !== v) return true;
  return false;
}
