// The seam between the reconcile core and where nodes run. The controller, planner and executor
// only ever talk to a Platform; `kube` implements it with the Kubernetes API (StatefulSet per
// shard, pods `<cluster>-<shard>-<ordinal>`), `local` with processes on 127.0.0.x and a state file.
//
// Contract every implementation keeps:
// - keys are "namespace/name" strings (see clusterKey in api/v1alpha1.ts);
// - members are identified by name = memberName(cluster, shard, ordinal); ordinal 0 is the member
//   that starts out as the shard's master, but roles after that are read from the nodes, never
//   assumed from names;
// - ensureMembers and deleteMember are idempotent and never touch members they are not given;
// - nothing here talks to the nodes' Redis ports: the operator does that itself through admin/.
import { createHash } from 'node:crypto';
import { RESERVED_CONFIG_KEYS, type RedisShardCluster, type Spec, type Status } from '../api/v1alpha1.js';

export interface MemberRef {
  name: string;
  /** The shard this member was created for (its label); equals the shard group it belongs to. */
  shard: number;
  ordinal: number;
}

export type MemberPhase = 'Pending' | 'Running' | 'Failed' | 'Terminating';

export interface Member extends MemberRef {
  /** Address the operator (and clients) reach the node's client port on; null until known. */
  host: string | null;
  port: number;
  /** Running and its client port answering (pod Ready / process alive and listening). */
  ready: boolean;
  phase: MemberPhase;
  /** Changes whenever the platform recreates the member (pod UID, process start). */
  incarnation: string;
  /** memberRevision() of the spec the member was started with; absent when the platform does not
   * track it (then the operator never restarts the member for an update). */
  revision?: string;
  /** What the node should announce to clients (cluster-announce-hostname and
   * cluster-preferred-endpoint-type), or why that is not known yet (a load balancer without an
   * address). Absent when the platform leaves announcing to the node's start arguments. */
  announce?: Announce;
}

export type Announce =
  | { hostname: string; port: number; endpoint: 'hostname' | 'ip'; external: boolean }
  | { pending: string };

export interface ClusterEvent {
  type: 'Normal' | 'Warning';
  /** PascalCase, e.g. ScaledOut, MemberReplaced, SlotsMigrated. */
  reason: string;
  message: string;
}

export interface Platform {
  readonly name: 'local' | 'kube';
  /** Keys of every RedisShardCluster the platform holds (the controller enqueues them at start). */
  listKeys(): Promise<string[]>;
  /** Calls onChange(key) whenever a resource or an object it owns changes (coalescing happens in the
   * controller's queue, so calling it often is fine). Resolves once watching; returns a stop. */
  watch(onChange: (key: string) => void): Promise<() => void>;
  /** The resource, or null when it is gone. The spec is returned unparsed (see RedisShardCluster). */
  get(key: string): Promise<RedisShardCluster | null>;
  /** Replaces the status (kube: status subresource, field manager redshard-operator). Only the
   * controller calls this, and only when the status changed. */
  writeStatus(key: string, status: Status): Promise<void>;
  /** Adds (present=true) or removes the finalizer redshard.io/finalizer. */
  setFinalizer(key: string, present: boolean): Promise<void>;
  /** Every member that exists for this cluster, whatever its state. */
  listMembers(cluster: RedisShardCluster): Promise<Member[]>;
  /** Creates each given member that does not exist yet and restarts one that failed, with what it
   * needs around it (kube: headless/client Services, PDB per shard). Returns without waiting for
   * readiness: the controller polls listMembers. */
  ensureMembers(cluster: RedisShardCluster, spec: Spec, members: readonly MemberRef[]): Promise<void>;
  /** Stops the member's node and starts it again from the given spec (same identity, address and
   * storage, so it keeps its node ID), for a rolling update. Platforms without it roll updates
   * their own way. Returns without waiting for readiness. */
  restartMember?(cluster: RedisShardCluster, spec: Spec, name: string): Promise<void>;
  /** Brings the objects that expose members outside the platform (kube: one Service per member)
   * in line with spec.externalAccess for the members that exist, removing them when it is off.
   * Cheap when nothing changed; resolves to whether anything was written. */
  syncExternalAccess?(cluster: RedisShardCluster, spec: Spec, members: readonly Member[]): Promise<boolean>;
  /** Stops and removes one member (and its storage). Called only after the member was drained
   * and forgotten by the cluster. */
  deleteMember(cluster: RedisShardCluster, name: string): Promise<void>;
  /** Removes every member and owned object; used when the resource is being deleted. */
  deleteAll(cluster: RedisShardCluster): Promise<void>;
  /** Records an event about the cluster (kube: Event object; local: log line in the state dir). */
  event(cluster: RedisShardCluster, e: ClusterEvent): Promise<void>;
  /** The node password named by spec.auth, or null when auth is not configured. Throws a
   * message-bearing Error when the secret cannot be read (reported as InvalidSpec/Degraded). */
  password(cluster: RedisShardCluster, spec: Spec): Promise<string | null>;
}

export function memberName(clusterName: string, shard: number, ordinal: number): string {
  return `${clusterName}-${shard}-${ordinal}`;
}

/** What a member must be restarted for when it changes: the image (local mode: the node program)
 * and the config passthrough. Short and stable (keys sorted). */
export function memberRevision(spec: Pick<Spec, 'image' | 'config'>): string {
  const config = Object.entries(spec.config ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify({ image: spec.image, config })).digest('hex').slice(0, 12);
}

/** Every member the spec asks for, shard-major. */
export function desiredMembers(clusterName: string, spec: Pick<Spec, 'shards' | 'replicasPerShard'>): MemberRef[] {
  const out: MemberRef[] = [];
  for (let shard = 0; shard < spec.shards; shard++) {
    for (let ordinal = 0; ordinal <= spec.replicasPerShard; ordinal++) {
      out.push({ name: memberName(clusterName, shard, ordinal), shard, ordinal });
    }
  }
  return out;
}

export interface NodeArgsInput {
  /** Address the node binds (and announces when announceIp is not given). */
  bind: string;
  port: number;
  dir: string;
  announceIp?: string;
  announceHostname?: string;
  password?: string | null;
}

/** Command-line arguments (redis-server style, shared by redis-server and redshard-node) every node
 * of a cluster starts with. Both platforms use this so passthrough config behaves the same. */
export function nodeArgs(spec: Spec, n: NodeArgsInput): string[] {
  const args = [
    '--port', String(n.port),
    '--bind', n.bind,
    '--dir', n.dir,
    '--cluster-enabled', 'yes',
    '--cluster-config-file', 'nodes.conf',
    '--cluster-node-timeout', String(spec.nodeTimeoutMs),
    '--daemonize', 'no',
  ];
  if (n.announceIp) args.push('--cluster-announce-ip', n.announceIp);
  if (n.announceHostname) args.push('--cluster-announce-hostname', n.announceHostname);
  if (n.password) args.push('--requirepass', n.password, '--masterauth', n.password);
  for (const [k, v] of Object.entries(spec.config ?? {})) args.push(`--${k}`, v);
  return args;
}

/** The config passthrough a node was started with, read back from its nodeArgs() arguments (the
 * inverse of nodeArgs for the config part): every directive the operator sets itself is reserved,
 * so whatever else is there came from spec.config. Lets a platform tell a member's revision from
 * what it actually runs (kube: the pod's container args), including members started before
 * revisions were tracked. */
export function configFromNodeArgs(args: readonly string[]): Record<string, string> {
  const reserved = new Set<string>(RESERVED_CONFIG_KEYS);
  const config: Record<string, string> = {};
  for (let i = 0; i + 1 < args.length; i += 2) {
    const flag = args[i]!;
    if (!flag.startsWith('--')) continue;
    const key = flag.slice(2);
    if (!reserved.has(key)) config[key] = args[i + 1]!;
  }
  return config;
}
