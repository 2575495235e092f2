// Shared helpers for cluster process tests: start cluster-mode nodes, read CLUSTER NODES views,
// wait for convergence.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNodeLine, type NodeLine } from '../../common/cluster-nodes.js';
import { redisCli, startNode, startRedis, type ServerProcess } from '../helpers/processes.js';
import { until } from '../helpers/until.js';

export const NODE_TIMEOUT = 1500;

export function clusterArgs(timeout = NODE_TIMEOUT): string[] {
  return ['--cluster-enabled', 'yes', '--cluster-node-timeout', String(timeout)];
}

export async function startClusterNode(kind: 'redshard' | 'redis', opts: { dir?: string; port?: number; args?: string[] } = {}): Promise<ServerProcess> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), `cluster-${kind}-`));
  // Other test runs on this machine pick ports from the same ranges: if our process lost the race
  // for its port, the one answering is someone else's, so check the pid and retry elsewhere.
  for (let attempt = 0; ; attempt++) {
    const o = { dir, args: [...clusterArgs(), ...(opts.args ?? [])], ...(opts.port !== undefined ? { port: opts.port } : {}) };
    const p = kind === 'redshard' ? await startNode(o) : await startRedis(o);
    let pid = '';
    try {
      pid = /process_id:(\d+)/.exec(redisCli(p.port, ['info', 'server']))?.[1] ?? '';
    } catch {
      pid = '';
    }
    if (pid === String(p.proc.pid)) return p;
    await p.stop('SIGKILL');
    if (opts.port !== undefined || attempt >= 5) throw new Error(`port ${p.port} is answered by another process`);
  }
}

export function cli(p: ServerProcess, ...args: string[]): string {
  return redisCli(p.port, args, { host: p.host }).trim();
}

export function nodesView(p: ServerProcess): NodeLine[] {
  return redisCli(p.port, ['cluster', 'nodes'], { host: p.host })
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(parseNodeLine);
}

/** redis-cli's consistency signature: owners and their slot tokens, sorted. */
export function slotSignature(p: ServerProcess): string {
  return nodesView(p)
    .filter((n) => n.slots.length > 0)
    .map((n) => `${n.id}:${n.slots.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).sort().join(',')}`)
    .sort()
    .join('|');
}

/** The shared poll (test/helpers/until.ts) under the name the cluster tests use. */
export { until as waitUntil };

/** Every node knows every other node by its real ID, with no handshake left. */
export function converged(nodes: readonly ServerProcess[]): boolean {
  const ids = nodes.map((n) => cli(n, 'cluster', 'myid')).sort();
  return nodes.every((n) => {
    const v = nodesView(n);
    return v.length === nodes.length && v.every((l) => !l.flags.includes('handshake') && !l.flags.includes('noaddr')) && v.map((l) => l.id).sort().join() === ids.join();
  });
}
