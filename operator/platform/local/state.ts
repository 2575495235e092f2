// The local mode's "API server": one JSON file (<dir>/.redshard/cluster.json) holding the resource
// and the members' processes. Writes go to a temporary file renamed over the old one, so a reader
// never sees half a file. The file is validated with zod on every read.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseWith } from '../../../common/schema.js';
import { API_VERSION, KIND, MetadataSchema, StatusSchema, type RedisShardCluster } from '../../api/v1alpha1.js';

export const LocalMemberSchema = z.object({
  name: z.string(),
  shard: z.number().int().min(0),
  ordinal: z.number().int().min(0),
  host: z.string(),
  port: z.number().int().min(1).max(55535),
  pid: z.number().int().nullable(),
  startedAt: z.string(),
  dir: z.string(),
  /** memberRevision() of the spec the process was started with (absent in older state files). */
  revision: z.string().optional(),
});
export type LocalMember = z.infer<typeof LocalMemberSchema>;

export const LocalStateSchema = z.object({
  version: z.literal(1),
  resource: z.object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(KIND),
    metadata: MetadataSchema,
    spec: z.unknown(),
    status: StatusSchema.optional(),
  }),
  /** argv prefix of the node program (e.g. ["redis-server"]). */
  nodeCommand: z.array(z.string()).min(1),
  /** Members get 127.0.0.<hostBase + slot>, all on `port`. */
  hostBase: z.number().int().min(2).max(250),
  port: z.number().int().min(1).max(55535),
  members: z.record(z.string(), LocalMemberSchema),
  secrets: z.record(z.string(), z.record(z.string(), z.string())).default({}),
});
export type LocalState = z.infer<typeof LocalStateSchema>;

export function stateDir(dir: string): string {
  return join(dir, '.redshard');
}

export function statePath(dir: string): string {
  return join(stateDir(dir), 'cluster.json');
}

export function readState(dir: string): LocalState | null {
  const p = statePath(dir);
  if (!existsSync(p)) return null;
  return parseWith(LocalStateSchema, JSON.parse(readFileSync(p, 'utf8')), `local state ${p}`);
}

export function writeState(dir: string, s: LocalState): void {
  mkdirSync(stateDir(dir), { recursive: true });
  const p = statePath(dir);
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  renameSync(tmp, p);
}

export function resourceOf(s: LocalState): RedisShardCluster {
  return s.resource as RedisShardCluster;
}
