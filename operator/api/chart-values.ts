// The Helm chart's values (charts/redshard/values.yaml): zod is the source of truth and
// charts/redshard/values.schema.json is generated from it (npm run gen:crd; a test checks it).
import { z } from 'zod';

const resources = z
  .object({
    requests: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    limits: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  })
  .strict();

export const chartValues = z
  .object({
    image: z
      .object({
        repository: z.string().min(1).describe('Image holding both redshard-node and redshard-operator'),
        tag: z.string().describe('Defaults to the chart appVersion when empty'),
        pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']),
      })
      .strict(),
    imagePullSecrets: z.array(z.object({ name: z.string() }).strict()),
    replicaCount: z.number().int().min(1).describe('Operator replicas; one leader acts at a time (Lease)'),
    leaderElection: z.object({ enabled: z.boolean(), leaseName: z.string().min(1) }).strict(),
    watchNamespace: z.string().describe('Namespace to watch; empty watches all namespaces'),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']),
    resources,
    nodeSelector: z.record(z.string(), z.string()),
    tolerations: z.array(z.record(z.string(), z.unknown())),
    affinity: z.record(z.string(), z.unknown()),
    priorityClassName: z.string(),
    podSecurityContext: z.record(z.string(), z.unknown()),
    securityContext: z.record(z.string(), z.unknown()),
    serviceAccount: z.object({ create: z.boolean(), name: z.string(), annotations: z.record(z.string(), z.string()) }).strict(),
    metrics: z
      .object({
        port: z.number().int().min(1).max(65535),
        serviceMonitor: z.object({ enabled: z.boolean(), interval: z.string(), labels: z.record(z.string(), z.string()) }).strict(),
      })
      .strict(),
    exampleCluster: z
      .object({
        enabled: z.boolean().describe('Also create a RedisShardCluster named after the release'),
        shards: z.number().int().min(1),
        replicasPerShard: z.number().int().min(0),
      })
      .strict(),
  })
  .strict();

export type ChartValues = z.infer<typeof chartValues>;

export function chartValuesJsonSchema(): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft-07/schema#', ...(z.toJSONSchema(chartValues, { target: 'draft-7' }) as Record<string, unknown>) };
}
