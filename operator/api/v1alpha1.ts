// RedisShardCluster v1alpha1: the zod schemas here are the single source of the resource's shape.
// The CRD in crds/ is generated from them (scripts/gen-crd.ts); the controller parses every
// resource it reads with them, so a spec the CRD could not reject still ends as InvalidSpec.
import { z } from 'zod';

export const GROUP = 'redshard.io';
export const VERSION = 'v1alpha1';
export const KIND = 'RedisShardCluster';
export const PLURAL = 'redisshardclusters';
export const SINGULAR = 'redisshardcluster';
export const SHORT_NAMES = ['rsc'];
export const API_VERSION = `${GROUP}/${VERSION}`;
export const FINALIZER = 'redshard.io/finalizer';

/** Upper bound on members per cluster: keeps the full mesh of bus links and the plan cheap. */
export const MAX_MEMBERS = 300;

// Directives the operator decides itself; a passthrough value for them would break membership,
// addressing or persistence, so they are refused rather than silently overridden.
export const RESERVED_CONFIG_KEYS = [
  'port',
  'bind',
  'dir',
  'daemonize',
  'pidfile',
  'logfile',
  'include',
  'cluster-enabled',
  'cluster-config-file',
  'cluster-node-timeout',
  'cluster-port',
  'cluster-announce-ip',
  'cluster-announce-port',
  'cluster-announce-bus-port',
  'cluster-announce-tls-port',
  'cluster-announce-hostname',
  'cluster-preferred-endpoint-type',
  'replicaof',
  'slaveof',
  'requirepass',
  'masterauth',
  'masteruser',
  'rename-command',
  'unixsocket',
] as const;

const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/, 'must be a Kubernetes quantity such as 500m, 1Gi or 2')
  .max(32);

const resourceList = z.object({ cpu: quantity.optional(), memory: quantity.optional() }).strict();

export const ResourcesSchema = z
  .object({ requests: resourceList.optional(), limits: resourceList.optional() })
  .strict()
  .describe('CPU and memory for each node container.');

export const StorageSchema = z
  .object({
    size: quantity.describe('PersistentVolumeClaim size per member, e.g. 1Gi.'),
    storageClassName: z.string().min(1).max(253).optional(),
  })
  .strict()
  .describe('When set, nodes.conf and data live on a PVC per member.');

const configKey = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be a lower-case redis.conf directive');

export const ConfigSchema = z
  .record(configKey, z.string().max(1024))
  .superRefine((cfg, ctx) => {
    for (const k of Object.keys(cfg)) {
      if ((RESERVED_CONFIG_KEYS as readonly string[]).includes(k)) {
        ctx.addIssue({ code: 'custom', path: [k], message: `is set by the operator and cannot be passed through` });
      }
    }
  })
  .describe('redis.conf directives passed to every node (directives the operator owns are refused).');

export const AuthSchema = z
  .object({
    secretName: z.string().min(1).max(253).describe('Secret holding the password.'),
    key: z.string().min(1).max(253).default('password').describe('Key inside the Secret.'),
  })
  .strict();

const preserved = (what: string) =>
  z.record(z.string(), z.unknown()).meta({ 'x-kubernetes-preserve-unknown-fields': true }).describe(what);

export const PodTemplateSchema = z
  .object({
    affinity: preserved('Kubernetes Affinity merged with the operator\'s anti-affinity.').optional(),
    tolerations: z.array(preserved('A Kubernetes Toleration.')).max(64).optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    priorityClassName: z.string().min(1).max(253).optional(),
  })
  .strict();

export const MigrationSchema = z
  .object({
    batchKeys: z.number().int().min(1).max(10000).default(100).describe('Keys per MIGRATE ... KEYS batch.'),
    timeoutMs: z.number().int().min(100).max(600000).default(10000).describe('MIGRATE timeout per batch.'),
    slotsPerPass: z.number().int().min(1).max(4096).default(128).describe('Slots moved in one reconcile pass before status is refreshed.'),
  })
  .strict();

export const EXTERNAL_ACCESS_TYPES = ['NodePort', 'LoadBalancer'] as const;
/** Kubernetes' default service-node-port-range. */
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

const nodePort = z.number().int().min(NODE_PORT_MIN).max(NODE_PORT_MAX);
// A DNS name or an IPv4/IPv6 literal: it ends up in MOVED replies and CLUSTER SLOTS as is.
const externalHost = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$/, 'must be a DNS name or an IP address');

export const ExternalMemberSchema = z
  .object({
    name: z.string().min(1).max(63).describe('Member (pod) name, <cluster>-<shard>-<ordinal>.'),
    host: externalHost.optional().describe('Address announced for this member instead of the one read from its Service or Kubernetes node (e.g. a DNS name pointing at its load balancer).'),
    nodePort: nodePort.optional().describe('NodePort only: fixed node port for this member\'s client port.'),
  })
  .strict();

export const ExternalAccessSchema = z
  .object({
    type: z.enum(EXTERNAL_ACCESS_TYPES).describe('Kind of the per-member Service that exposes each node outside the cluster.'),
    nodePortBase: nodePort
      .optional()
      .describe('NodePort only: member i (shard-major order) gets client node port nodePortBase + i; unset lets Kubernetes allocate.'),
    members: z.array(ExternalMemberSchema).max(MAX_MEMBERS).optional().describe('Per-member fixed addresses or node ports.'),
    annotations: z.record(z.string().max(253), z.string().max(4096)).optional().describe('Annotations on every per-member Service (cloud load-balancer settings).'),
  })
  .strict()
  .meta({
    'x-kubernetes-validations': [
      { rule: `self.type == 'NodePort' || !has(self.nodePortBase)`, message: 'nodePortBase needs type NodePort' },
      { rule: `self.type == 'NodePort' || !has(self.members) || self.members.all(m, !has(m.nodePort))`, message: 'members[].nodePort needs type NodePort' },
    ],
  })
  .superRefine((e, ctx) => {
    if (e.type !== 'NodePort' && e.nodePortBase !== undefined) ctx.addIssue({ code: 'custom', path: ['nodePortBase'], message: 'nodePortBase needs type NodePort' });
    const seen = new Set<string>();
    for (const [i, m] of (e.members ?? []).entries()) {
      if (e.type !== 'NodePort' && m.nodePort !== undefined) ctx.addIssue({ code: 'custom', path: ['members', i, 'nodePort'], message: 'members[].nodePort needs type NodePort' });
      if (seen.has(m.name)) ctx.addIssue({ code: 'custom', path: ['members', i, 'name'], message: `member ${m.name} is listed twice` });
      seen.add(m.name);
    }
  })
  .describe('Exposes every member outside the Kubernetes cluster and makes the nodes announce those addresses to clients (MOVED/ASK, CLUSTER SLOTS/SHARDS).');
export type ExternalAccess = z.infer<typeof ExternalAccessSchema>;

export const SpecSchema = z
  .object({
    shards: z.number().int().min(1).max(MAX_MEMBERS).default(3).describe('Number of masters (shards).'),
    replicasPerShard: z.number().int().min(0).max(10).default(1).describe('Replicas attached to each master.'),
    image: z.string().min(1).max(512).default('redshard:0.1.0').describe('Node container image.'),
    resources: ResourcesSchema.optional(),
    storage: StorageSchema.optional(),
    nodeTimeoutMs: z.number().int().min(500).max(600000).default(5000).describe('cluster-node-timeout of every node.'),
    config: ConfigSchema.optional(),
    auth: AuthSchema.optional(),
    pod: PodTemplateSchema.optional(),
    migration: MigrationSchema.default({ batchKeys: 100, timeoutMs: 10000, slotsPerPass: 128 }),
    externalAccess: ExternalAccessSchema.optional(),
    paused: z.boolean().default(false).describe('When true the operator observes and reports but changes nothing.'),
  })
  .strict()
  .meta({
    'x-kubernetes-validations': [
      {
        rule: `!has(self.shards) || !has(self.replicasPerShard) || self.shards * (self.replicasPerShard + 1) <= ${MAX_MEMBERS}`,
        message: `shards x (replicasPerShard + 1) must be at most ${MAX_MEMBERS}`,
      },
    ],
  })
  .superRefine((s, ctx) => {
    if (s.shards * (s.replicasPerShard + 1) > MAX_MEMBERS) {
      ctx.addIssue({ code: 'custom', path: ['shards'], message: `shards x (replicasPerShard + 1) must be at most ${MAX_MEMBERS}` });
    }
  });

export type Spec = z.infer<typeof SpecSchema>;
export type SpecInput = z.input<typeof SpecSchema>;

export const ConditionSchema = z.object({
  type: z.enum(['Ready', 'Progressing', 'Degraded', 'ExternalAccess']),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().regex(/^[A-Z][A-Za-z0-9]*$/),
  message: z.string().max(32768),
  lastTransitionTime: z.string(),
  observedGeneration: z.number().int().min(0).optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const MemberStatusSchema = z.object({
  name: z.string(),
  id: z.string().optional(),
  address: z.string().optional(),
});

export const ShardStatusSchema = z.object({
  index: z.number().int().min(0),
  master: MemberStatusSchema.optional(),
  replicas: z.array(MemberStatusSchema),
  slots: z.string().describe('Slot ranges served by the master, e.g. "0-4095 8000".'),
  slotCount: z.number().int().min(0),
});
export type ShardStatus = z.infer<typeof ShardStatusSchema>;

export const OperationSchema = z.object({
  type: z.enum(['Bootstrap', 'ScaleOut', 'ScaleIn', 'Rebalance', 'Repair', 'RollingUpdate', 'Delete']),
  message: z.string(),
  slotsTotal: z.number().int().min(0).optional(),
  slotsMoved: z.number().int().min(0).optional(),
  membersTotal: z.number().int().min(0).optional().describe('Rolling update: members to run the current image and config.'),
  membersUpdated: z.number().int().min(0).optional().describe('Rolling update: members already restarted with them.'),
  migrating: z
    .array(z.object({ slot: z.number().int().min(0).max(16383), from: z.string(), to: z.string() }))
    .max(64)
    .optional()
    .describe('Slots currently open (MIGRATING/IMPORTING) as the nodes report them.'),
  startedAt: z.string(),
});
export type Operation = z.infer<typeof OperationSchema>;

export const PHASES = ['Pending', 'Creating', 'Ready', 'Scaling', 'Healing', 'Updating', 'Degraded', 'Paused', 'Invalid', 'Deleting'] as const;
export type Phase = (typeof PHASES)[number];

export const StatusSchema = z.object({
  observedGeneration: z.number().int().min(0).optional(),
  phase: z.enum(PHASES).optional(),
  conditions: z.array(ConditionSchema).optional(),
  slotsAssigned: z.number().int().min(0).max(16384).optional(),
  shards: z.array(ShardStatusSchema).optional(),
  readyMembers: z.string().optional().describe('Ready members / desired members, e.g. 6/6.'),
  operation: OperationSchema.optional(),
  lastError: z.string().max(4096).optional(),
});
export type Status = z.infer<typeof StatusSchema>;

export const MetadataSchema = z.object({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/, 'must be a DNS label of at most 42 characters'),
  namespace: z.string().default('default'),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  finalizers: z.array(z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** A resource as the controller sees it: the spec still unparsed, because an invalid spec must
 * reach the controller (to be reported as InvalidSpec) instead of failing the read. */
export interface RedisShardCluster {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: z.infer<typeof MetadataSchema>;
  spec: unknown;
  status?: Status;
}

export function clusterKey(c: { metadata: { namespace?: string; name: string } }): string {
  return `${c.metadata.namespace ?? 'default'}/${c.metadata.name}`;
}
