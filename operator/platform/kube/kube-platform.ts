// The Platform on Kubernetes: RedisShardCluster resources through the custom objects API, members
// as pods of one StatefulSet per shard (see manifests.ts for why), everything written with
// server-side apply under the field manager redshard-operator and owned by the resource.
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
  type V1Pod,
  type V1Service,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  API_VERSION,
  FINALIZER,
  GROUP,
  KIND,
  MetadataSchema,
  PLURAL,
  SpecSchema,
  VERSION,
  type RedisShardCluster,
  type Spec,
  type Status,
} from '../../api/v1alpha1.js';
import { configFromNodeArgs, desiredMembers, memberRevision, type ClusterEvent, type Member, type MemberPhase, type MemberRef, type Platform } from '../platform.js';
import { ListWatch, errorText } from './list-watch.js';
import {
  CLIENT_PORT,
  FIELD_MANAGER,
  NODE_CONTAINER,
  LABEL_CLUSTER,
  LABEL_MANAGED_BY,
  LABEL_SHARD,
  MANAGED_BY,
  COMPONENT_EXTERNAL,
  LABEL_COMPONENT,
  buildClientService,
  buildExternalService,
  externalAnnounce,
  externalServiceDrifted,
  externalServiceName,
  internalHostname,
  type NodeAddresses,
  buildHeadlessService,
  buildPodDisruptionBudget,
  buildStatefulSet,
  parseMemberName,
  shrinkRange,
  statefulSetName,
  widenRange,
  type OrdinalRange,
  type Owner,
} from './manifests.js';

function rangeOf(set: V1StatefulSet): OrdinalRange {
  return { start: set.spec?.ordinals?.start ?? 0, replicas: set.spec?.replicas ?? 0 };
}

const applyOpts = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
const mergeOpts = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface KubePlatformOptions {
  kc: KubeConfig;
  /** Watch only this namespace; all namespaces when unset. */
  namespace?: string;
  log?: Logger;
}

function codeOf(err: unknown): number | undefined {
  return (err as { code?: number } | null)?.code;
}

function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

function ownerOf(c: RedisShardCluster): Owner {
  if (!c.metadata.uid) throw new Error(`RedisShardCluster ${c.metadata.namespace}/${c.metadata.name} has no uid`);
  return { name: c.metadata.name, namespace: c.metadata.namespace, uid: c.metadata.uid };
}

/** memberRevision() of what the pod runs: its node container's image and the config passthrough
 * in its arguments (pods started before revisions were tracked have one too). */
export function podRevision(pod: V1Pod): string | undefined {
  const c = pod.spec?.containers.find((x) => x.name === NODE_CONTAINER);
  if (!c?.image) return undefined;
  return memberRevision({ image: c.image, config: configFromNodeArgs(c.args ?? []) });
}

/** Member view of one pod (pure). */
export function memberOfPod(cluster: string, pod: V1Pod): Member | null {
  const name = pod.metadata?.name ?? '';
  const parsed = parseMemberName(cluster, name);
  if (!parsed) return null;
  const shardLabel = pod.metadata?.labels?.[LABEL_SHARD];
  const shard = shardLabel !== undefined && /^\d+$/.test(shardLabel) ? Number(shardLabel) : parsed.shard;
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  let phase: MemberPhase;
  if (pod.metadata?.deletionTimestamp) phase = 'Terminating';
  else if (pod.status?.phase === 'Running') phase = 'Running';
  else if (pod.status?.phase === 'Pending' || !pod.status?.phase) phase = 'Pending';
  else phase = 'Failed';
  const revision = podRevision(pod);
  return {
    name,
    shard,
    ordinal: parsed.ordinal,
    host: pod.status?.podIP ?? null,
    port: CLIENT_PORT,
    ready: ready && phase === 'Running' && !!pod.status?.podIP,
    phase,
    incarnation: pod.metadata?.uid ?? '',
    ...(revision ? { revision } : {}),
  };
}

export class KubePlatform implements Platform {
  readonly name = 'kube' as const;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly policy: PolicyV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly objects: KubernetesObjectApi;
  private readonly recentEvents = new Map<string, { name: string; namespace: string; count: number; at: number }>();

  constructor(private readonly opts: KubePlatformOptions) {
    this.core = opts.kc.makeApiClient(CoreV1Api);
    this.apps = opts.kc.makeApiClient(AppsV1Api);
    this.policy = opts.kc.makeApiClient(PolicyV1Api);
    this.custom = opts.kc.makeApiClient(CustomObjectsApi);
    this.objects = KubernetesObjectApi.makeApiClient(opts.kc);
  }

  private async listClusters(): Promise<{ items: KubernetesObject[]; metadata?: { resourceVersion?: string } }> {
    const ns = this.opts.namespace;
    const res = ns
      ? await this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL })
      : await this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL });
    return res as { items: KubernetesObject[]; metadata?: { resourceVersion?: string } };
  }

  async listKeys(): Promise<string[]> {
    const list = await this.listClusters();
    return list.items.map((o) => `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`);
  }

  async watch(onChange: (key: string) => void): Promise<() => void> {
    const ns = this.opts.namespace;
    const nsPath = ns ? `/namespaces/${ns}` : '';
    const managed = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;
    const owned = (o: KubernetesObject) => {
      const cluster = o.metadata?.labels?.[LABEL_CLUSTER];
      if (cluster && o.metadata?.namespace) onChange(`${o.metadata.namespace}/${cluster}`);
    };
    const log = this.opts.log;
    const watches: ListWatch<KubernetesObject>[] = [
      new ListWatch({
        kc: this.opts.kc, log, path: `/apis/${GROUP}/${VERSION}${nsPath}/${PLURAL}`,
        list: () => this.listClusters(),
        onEvent: (_t, o) => onChange(`${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`),
      }),
      new ListWatch({
        kc: this.opts.kc, log, path: `/api/v1${nsPath}/pods`, query: { labelSelector: managed },
        list: () => (ns ? this.core.listNamespacedPod({ namespace: ns, labelSelector: managed }) : this.core.listPodForAllNamespaces({ labelSelector: managed })),
        onEvent: (_t, o) => owned(o),
      }),
      // External Services: a cloud controller writing a load balancer's address must start a pass.
      new ListWatch({
        kc: this.opts.kc, log, path: `/api/v1${nsPath}/services`, query: { labelSelector: managed },
        list: () => (ns ? this.core.listNamespacedService({ namespace: ns, labelSelector: managed }) : this.core.listServiceForAllNamespaces({ labelSelector: managed })),
        onEvent: (_t, o) => owned(o),
      }),
      new ListWatch({
        kc: this.opts.kc, log, path: `/apis/apps/v1${nsPath}/statefulsets`, query: { labelSelector: managed },
        list: () => (ns ? this.apps.listNamespacedStatefulSet({ namespace: ns, labelSelector: managed }) : this.apps.listStatefulSetForAllNamespaces({ labelSelector: managed })),
        onEvent: (_t, o) => owned(o),
      }),
    ];
    for (const w of watches) w.start();
    const deadline = Date.now() + 30_000;
    while (!watches.every((w) => w.hasSynced())) {
      if (Date.now() > deadline) {
        for (const w of watches) w.stop();
        throw new Error('watches did not sync within 30 s');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return () => {
      for (const w of watches) w.stop();
    };
  }

  async get(key: string): Promise<RedisShardCluster | null> {
    const { namespace, name } = splitKey(key);
    let raw: { metadata?: unknown; spec?: unknown; status?: unknown };
    try {
      raw = (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as typeof raw;
    } catch (err) {
      if (codeOf(err) === 404) return null;
      throw err;
    }
    const parsed = MetadataSchema.safeParse(raw.metadata);
    const metadata = parsed.success ? parsed.data : ({ ...(raw.metadata as object), name, namespace } as RedisShardCluster['metadata']);
    return { apiVersion: API_VERSION, kind: KIND, metadata, spec: raw.spec, status: raw.status as Status | undefined };
  }

  async writeStatus(key: string, status: Status): Promise<void> {
    const { namespace, name } = splitKey(key);
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        group: GROUP, version: VERSION, namespace, plural: PLURAL, name, fieldManager: FIELD_MANAGER, force: true,
        body: { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace }, status: JSON.parse(JSON.stringify(status)) as unknown },
      },
      applyOpts,
    );
  }

  async setFinalizer(key: string, present: boolean): Promise<void> {
    const { namespace, name } = splitKey(key);
    for (let attempt = 0; ; attempt++) {
      const cur = (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as KubernetesObject;
      const finalizers = cur.metadata?.finalizers ?? [];
      const has = finalizers.includes(FINALIZER);
      if (has === present) return;
      const next = present ? [...finalizers, FINALIZER] : finalizers.filter((f) => f !== FINALIZER);
      try {
        // The resourceVersion makes the merge patch conditional: another writer's finalizer is never lost.
        await this.custom.patchNamespacedCustomObject(
          { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, fieldManager: FIELD_MANAGER,
            body: { metadata: { finalizers: next, resourceVersion: cur.metadata?.resourceVersion } } },
          mergeOpts,
        );
        return;
      } catch (err) {
        if (codeOf(err) === 404 && !present) return;
        if (codeOf(err) !== 409 || attempt >= 5) throw err;
      }
    }
  }

  async listMembers(cluster: RedisShardCluster): Promise<Member[]> {
    const pods = await this.core.listNamespacedPod({ namespace: cluster.metadata.namespace, labelSelector: `${LABEL_CLUSTER}=${cluster.metadata.name}` });
    const out: Member[] = [];
    const podOf = new Map<string, V1Pod>();
    for (const pod of pods.items) {
      const m = memberOfPod(cluster.metadata.name, pod);
      if (m) {
        out.push(m);
        podOf.set(m.name, pod);
      }
    }
    await this.addAnnounce(cluster, out, podOf);
    return out.sort((a, b) => a.shard - b.shard || a.ordinal - b.ordinal);
  }

  /** Fills Member.announce: the external address with spec.externalAccess, else the in-cluster
   * hostname the pod starts with (so turning external access off announces that again). */
  private async addAnnounce(cluster: RedisShardCluster, members: Member[], pods: Map<string, V1Pod>): Promise<void> {
    const parsed = SpecSchema.safeParse(cluster.spec);
    if (!parsed.success) return;
    const spec = parsed.data;
    const { namespace, name } = cluster.metadata;
    if (!spec.externalAccess) {
      for (const m of members) m.announce = { hostname: internalHostname({ name, namespace }, m.name), port: m.port, endpoint: 'ip', external: false };
      return;
    }
    const services = await this.core.listNamespacedService({ namespace, labelSelector: `${LABEL_CLUSTER}=${name},${LABEL_COMPONENT}=${COMPONENT_EXTERNAL}` });
    const byName = new Map<string, V1Service>(services.items.map((s) => [s.metadata?.name ?? '', s]));
    const nodes = new Map<string, NodeAddresses | undefined>();
    for (const m of members) {
      const pod = pods.get(m.name);
      const nodeName = pod?.spec?.nodeName;
      // Node addresses are read only for NodePort without a fixed host, once per Kubernetes node.
      if (spec.externalAccess.type === 'NodePort' && nodeName && !nodes.has(nodeName) && !spec.externalAccess.members?.some((x) => x.name === m.name && x.host)) {
        nodes.set(nodeName, await this.readNodeAddresses(nodeName));
      }
      m.announce = externalAnnounce(spec, m.name, byName.get(externalServiceName(m.name)), pod?.status?.hostIP, nodeName ? nodes.get(nodeName) : undefined);
    }
  }

  async syncExternalAccess(cluster: RedisShardCluster, spec: Spec, members: readonly Member[]): Promise<boolean> {
    const o = ownerOf(cluster);
    const list = await this.core.listNamespacedService({ namespace: o.namespace, labelSelector: `${LABEL_CLUSTER}=${o.name},${LABEL_COMPONENT}=${COMPONENT_EXTERNAL}` });
    const have = new Map<string, V1Service>(list.items.map((s) => [s.metadata?.name ?? '', s]));
    const order = desiredMembers(o.name, spec).map((m) => m.name);
    let changed = false;
    const wanted = new Set<string>();
    if (spec.externalAccess) {
      for (const m of members) {
        if (m.phase === 'Terminating') continue;
        // A member outside the desired set (being removed) has no place for nodePortBase.
        const index = order.indexOf(m.name);
        const svc = buildExternalService(o, spec, m.name, index < 0 ? null : index);
        const name = svc.metadata!.name!;
        wanted.add(name);
        const current = have.get(name);
        if (!externalServiceDrifted(svc, current)) continue;
        changed = true;
        try {
          // A Service of another type is replaced rather than converted in place.
          if (current && current.spec?.type !== svc.spec?.type) await this.deleteService(o.namespace, name);
          await this.apply(svc);
        } catch (err) {
          // One Service Kubernetes refuses (e.g. a fixed node port already taken) must not stop the
          // reconcile of the cluster: it is reported and retried on the next pass.
          const message = `Service ${name}: ${errorText(err)}`;
          this.opts.log?.warn({ cluster: o.name, err: message }, 'external Service not applied');
          await this.event(cluster, { type: 'Warning', reason: 'ExternalServiceFailed', message });
        }
      }
    }
    for (const name of have.keys()) {
      if (wanted.has(name)) continue;
      await this.deleteService(o.namespace, name);
      changed = true;
    }
    return changed;
  }

  private async readNodeAddresses(name: string): Promise<NodeAddresses | undefined> {
    try {
      const node = await this.core.readNode({ name });
      return { addresses: (node.status?.addresses ?? []).map((a) => ({ type: a.type, address: a.address })) };
    } catch (err) {
      // Without permission or with the node gone, the pod's hostIP is the fallback.
      this.opts.log?.debug({ err: errorText(err), node: name }, 'reading a node\'s addresses failed');
      return undefined;
    }
  }

  private async deleteService(namespace: string, name: string): Promise<void> {
    try {
      await this.core.deleteNamespacedService({ namespace, name });
    } catch (err) {
      if (codeOf(err) !== 404) throw err;
    }
  }

  private async apply<T extends KubernetesObject>(obj: T): Promise<void> {
    await this.objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  async ensureMembers(cluster: RedisShardCluster, spec: Spec, members: readonly MemberRef[]): Promise<void> {
    const o = ownerOf(cluster);
    await this.apply(buildHeadlessService(o));
    await this.apply(buildClientService(o));
    const byShard = new Map<number, number[]>();
    for (const m of members) byShard.set(m.shard, [...(byShard.get(m.shard) ?? []), m.ordinal]);
    for (const [shard, ordinals] of byShard) {
      const current = await this.readStatefulSet(o.namespace, statefulSetName(o.name, shard));
      // Never shrink here: removing members is deleteMember's job, after they were drained.
      const range = widenRange(current ? rangeOf(current) : null, ordinals);
      try {
        await this.apply(buildStatefulSet(o, spec, shard, range.replicas, range.start));
      } catch (err) {
        if (codeOf(err) === 422 && current) throw new Error(`StatefulSet ${statefulSetName(o.name, shard)} cannot be updated: ${errorText(err)}`);
        throw err;
      }
      await this.apply(buildPodDisruptionBudget(o, shard));
    }
    // A failed pod of a StatefulSet is not replaced by the control plane on its own.
    const names = new Set(members.map((m) => m.name));
    for (const m of await this.listMembers(cluster)) {
      if (names.has(m.name) && m.phase === 'Failed') await this.deletePod(o.namespace, m.name);
    }
  }

  /**
   * Rolling update of one member: its shard's StatefulSet gets the template of the current spec
   * (OnDelete: no pod moves by itself), then the pod is deleted and the StatefulSet controller
   * recreates it from that template under the same name. Without storage it comes back as a new
   * node (emptyDir is gone) that the planner attaches as a replica; with a PVC it keeps nodes.conf
   * and its node ID. The planner waits for the whole cluster to be healthy before the next step.
   */
  async restartMember(cluster: RedisShardCluster, spec: Spec, name: string): Promise<void> {
    const o = ownerOf(cluster);
    const parsed = parseMemberName(o.name, name);
    if (!parsed) throw new Error(`${name} is not a member of ${o.name}`);
    const setName = statefulSetName(o.name, parsed.shard);
    const current = await this.readStatefulSet(o.namespace, setName);
    if (!current) throw new Error(`StatefulSet ${setName} of ${name} does not exist`);
    const range = widenRange(rangeOf(current), [parsed.ordinal]);
    await this.apply(buildStatefulSet(o, spec, parsed.shard, range.replicas, range.start));
    // The StatefulSet controller recreates the pod from the revision it has observed: wait until it
    // saw the new template, or the pod would come back from the old one (and be rolled again).
    const deadline = Date.now() + 20_000;
    for (;;) {
      const set = await this.readStatefulSet(o.namespace, setName);
      if (!set) throw new Error(`StatefulSet ${setName} disappeared during a rolling update`);
      if ((set.status?.observedGeneration ?? 0) >= (set.metadata?.generation ?? 0) && set.status?.updateRevision) break;
      if (Date.now() > deadline) throw new Error(`StatefulSet ${setName} did not observe its new template within 20 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.deletePod(o.namespace, name);
  }

  private async readStatefulSet(namespace: string, name: string) {
    try {
      return await this.apps.readNamespacedStatefulSet({ namespace, name });
    } catch (err) {
      if (codeOf(err) === 404) return null;
      throw err;
    }
  }

  private async deletePod(namespace: string, name: string): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({ namespace, name });
    } catch (err) {
      if (codeOf(err) !== 404) throw err;
    }
  }

  private async deletePvc(namespace: string, name: string): Promise<void> {
    try {
      await this.core.deleteNamespacedPersistentVolumeClaim({ namespace, name });
    } catch (err) {
      if (codeOf(err) !== 404) throw err;
    }
  }

  /**
   * A member at either end of its shard's ordinal range leaves by shrinking the StatefulSet's range
   * (the last one removes the StatefulSet and its PDB); its claim is deleted with it. A member in
   * the middle cannot leave a StatefulSet: that is refused rather than half done.
   */
  async deleteMember(cluster: RedisShardCluster, name: string): Promise<void> {
    const { namespace } = cluster.metadata;
    const parsed = parseMemberName(cluster.metadata.name, name);
    if (!parsed) throw new Error(`${name} is not a member of ${cluster.metadata.name}`);
    const setName = statefulSetName(cluster.metadata.name, parsed.shard);
    const set = await this.readStatefulSet(namespace, setName);
    const next = set ? shrinkRange(rangeOf(set), parsed.ordinal) : 'not-in-range';
    if (next === 'middle') throw new Error(`${name} is neither the first nor the last member of StatefulSet ${setName}; remove the members after it first`);
    if (next === 'not-in-range') {
      // Already outside the set (or the set is gone): make sure no pod or claim is left over.
      await this.deletePod(namespace, name);
    } else if (next.replicas === 0) {
      await this.apps.deleteNamespacedStatefulSet({ namespace, name: setName, propagationPolicy: 'Background' });
      try {
        await this.policy.deleteNamespacedPodDisruptionBudget({ namespace, name: setName });
      } catch (err) {
        if (codeOf(err) !== 404) throw err;
      }
    } else {
      await this.apps.patchNamespacedStatefulSet(
        { namespace, name: setName, fieldManager: FIELD_MANAGER, body: { spec: { replicas: next.replicas, ordinals: { start: next.start } } } },
        mergeOpts,
      );
    }
    await this.deletePvc(namespace, `data-${name}`);
    await this.deleteService(namespace, externalServiceName(name));
  }

  async deleteAll(cluster: RedisShardCluster): Promise<void> {
    const namespace = cluster.metadata.namespace;
    const labelSelector = `${LABEL_CLUSTER}=${cluster.metadata.name},${LABEL_MANAGED_BY}=${MANAGED_BY}`;
    const ignore404 = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        if (codeOf(err) !== 404) throw err;
      }
    };
    for (const s of (await this.apps.listNamespacedStatefulSet({ namespace, labelSelector })).items) {
      await ignore404(this.apps.deleteNamespacedStatefulSet({ namespace, name: s.metadata!.name!, propagationPolicy: 'Background' }));
    }
    for (const p of (await this.policy.listNamespacedPodDisruptionBudget({ namespace, labelSelector })).items) {
      await ignore404(this.policy.deleteNamespacedPodDisruptionBudget({ namespace, name: p.metadata!.name! }));
    }
    for (const s of (await this.core.listNamespacedService({ namespace, labelSelector })).items) {
      await ignore404(this.core.deleteNamespacedService({ namespace, name: s.metadata!.name! }));
    }
    // PVCs carry the template's labels (cluster, shard), not necessarily managed-by on old releases.
    for (const c of (await this.core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector: `${LABEL_CLUSTER}=${cluster.metadata.name}` })).items) {
      await ignore404(this.core.deleteNamespacedPersistentVolumeClaim({ namespace, name: c.metadata!.name! }));
    }
  }

  async event(cluster: RedisShardCluster, e: ClusterEvent): Promise<void> {
    const { namespace, name, uid } = cluster.metadata;
    const dedupe = `${namespace}/${name}/${e.type}/${e.reason}/${e.message}`;
    const now = new Date();
    const seen = this.recentEvents.get(dedupe);
    try {
      if (seen && now.getTime() - seen.at < 10 * 60_000) {
        seen.count++;
        seen.at = now.getTime();
        await this.core.patchNamespacedEvent(
          { namespace, name: seen.name, body: { count: seen.count, lastTimestamp: now.toISOString() } },
          mergeOpts,
        );
        return;
      }
      const eventName = `${name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
      await this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { name: eventName, namespace },
          involvedObject: { apiVersion: API_VERSION, kind: KIND, name, namespace, uid },
          reason: e.reason,
          message: e.message,
          type: e.type,
          source: { component: FIELD_MANAGER },
          reportingComponent: FIELD_MANAGER,
          reportingInstance: process.env.HOSTNAME ?? 'redshard-operator',
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
      if (this.recentEvents.size > 500) this.recentEvents.clear();
      this.recentEvents.set(dedupe, { name: eventName, namespace, count: 1, at: now.getTime() });
    } catch (err) {
      // Events are best effort: losing one must never fail a reconcile pass.
      this.opts.log?.warn({ err: errorText(err), reason: e.reason }, 'recording an event failed');
      this.recentEvents.delete(dedupe);
    }
  }

  async password(cluster: RedisShardCluster, spec: Spec): Promise<string | null> {
    if (!spec.auth) return null;
    const { secretName, key } = spec.auth;
    let data: Record<string, string> | undefined;
    try {
      data = (await this.core.readNamespacedSecret({ namespace: cluster.metadata.namespace, name: secretName })).data;
    } catch (err) {
      if (codeOf(err) === 404) throw new Error(`secret ${cluster.metadata.namespace}/${secretName} not found`);
      throw new Error(`secret ${cluster.metadata.namespace}/${secretName} cannot be read: ${errorText(err)}`);
    }
    const value = data?.[key];
    if (value === undefined) throw new Error(`secret ${cluster.metadata.namespace}/${secretName} has no key ${key}`);
    return Buffer.from(value, 'base64').toString('utf8');
  }
}
