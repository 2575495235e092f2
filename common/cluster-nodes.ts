// The CLUSTER NODES / nodes.conf line grammar (facts §8.1-8.2), shared by the node and the operator:
// <id> <ip>:<port>@<cport>[,<hostname>] <flags> <master|-> <ping> <pong> <epoch> <link> <slots...>
// nodes.conf (7.2+) may add aux fields to the address: <ip>:<port>@<cport>,[<hostname>],shard-id=<id>
import type { SlotRange } from './slots.js';
import { SLOT_COUNT } from './slots.js';

export const NODE_FLAG_NAMES = ['myself', 'master', 'slave', 'fail?', 'fail', 'handshake', 'noaddr', 'nofailover', 'noflags'] as const;
export type NodeFlagName = (typeof NODE_FLAG_NAMES)[number];

export interface NodeLine {
  id: string;
  ip: string;
  port: number;
  cport: number;
  hostname: string;
  /** The shard-id aux field: nodes.conf only, never in CLUSTER NODES (as in 7.2). */
  shardId?: string;
  flags: NodeFlagName[];
  masterId: string | null;
  pingSent: number;
  pongReceived: number;
  configEpoch: number;
  connected: boolean;
  slots: SlotRange[];
  migrating: { slot: number; id: string }[];
  importing: { slot: number; id: string }[];
}

export function formatNodeLine(n: NodeLine): string {
  const aux = n.shardId !== undefined ? `,${n.hostname},shard-id=${n.shardId}` : n.hostname !== '' ? `,${n.hostname}` : '';
  let s = `${n.id} ${n.ip}:${n.port}@${n.cport}${aux} ${n.flags.length > 0 ? n.flags.join(',') : 'noflags'} ${n.masterId ?? '-'} ${n.pingSent} ${n.pongReceived} ${n.configEpoch} ${n.connected ? 'connected' : 'disconnected'}`;
  for (const r of n.slots) s += r.start === r.end ? ` ${r.start}` : ` ${r.start}-${r.end}`;
  const marks = [...n.migrating.map((m) => ({ ...m, dir: '->-' })), ...n.importing.map((m) => ({ ...m, dir: '-<-' }))].sort((a, b) => a.slot - b.slot);
  for (const m of marks) s += ` [${m.slot}${m.dir}${m.id}]`;
  return s;
}

export class NodeLineError extends Error {}

const ID_RE = /^[0-9a-z]{40}$/;

function int(s: string, what: string): number {
  if (!/^-?\d+$/.test(s)) throw new NodeLineError(`bad ${what} '${s}'`);
  return Number(s);
}

function slotNumber(s: string): number {
  const n = int(s, 'slot');
  if (n < 0 || n >= SLOT_COUNT) throw new NodeLineError(`slot ${s} out of range`);
  return n;
}

/** Parses one line (no trailing newline). Tolerates a missing @cport (port + 10000). */
export function parseNodeLine(line: string): NodeLine {
  const f = line.split(' ').filter((x) => x !== '');
  if (f.length < 8) throw new NodeLineError('a node line needs at least 8 fields');
  const id = f[0]!;
  if (!ID_RE.test(id)) throw new NodeLineError(`bad node ID '${id}'`);
  const addr = f[1]!;
  const [hostport = '', hostname = '', ...auxFields] = addr.split(',');
  let shardId: string | undefined;
  for (const a of auxFields) {
    const eq = a.indexOf('=');
    if (eq === -1) throw new NodeLineError(`bad aux field '${a}'`);
    // Other 7.2 aux fields (nodename, tcp-port, tls-port) are not used here.
    if (a.slice(0, eq) !== 'shard-id') continue;
    shardId = a.slice(eq + 1);
    if (!ID_RE.test(shardId)) throw new NodeLineError(`bad shard id '${shardId}'`);
  }
  const colon = hostport.lastIndexOf(':');
  if (colon === -1) throw new NodeLineError(`bad address '${addr}'`);
  const ip = hostport.slice(0, colon);
  const ports = hostport.slice(colon + 1);
  const at = ports.indexOf('@');
  const port = int(at === -1 ? ports : ports.slice(0, at), 'port');
  const cport = at === -1 ? port + 10000 : int(ports.slice(at + 1), 'bus port');
  const flags: NodeFlagName[] = [];
  for (const fl of f[2]!.split(',')) {
    if (!(NODE_FLAG_NAMES as readonly string[]).includes(fl)) throw new NodeLineError(`unknown flag '${fl}'`);
    if (fl !== 'noflags') flags.push(fl as NodeFlagName);
  }
  const masterId = f[3] === '-' ? null : f[3]!;
  if (masterId !== null && !ID_RE.test(masterId)) throw new NodeLineError(`bad master ID '${masterId}'`);
  const out: NodeLine = {
    id,
    ip,
    port,
    cport,
    hostname,
    ...(shardId !== undefined ? { shardId } : {}),
    flags,
    masterId,
    pingSent: int(f[4]!, 'ping time'),
    pongReceived: int(f[5]!, 'pong time'),
    configEpoch: int(f[6]!, 'config epoch'),
    connected: f[7] === 'connected',
    slots: [],
    migrating: [],
    importing: [],
  };
  for (const tok of f.slice(8)) {
    if (tok.startsWith('[')) {
      const m = /^\[(\d+)(->-|-<-)([0-9a-z]{40})\]$/.exec(tok);
      if (m === null) throw new NodeLineError(`bad migration token '${tok}'`);
      (m[2] === '->-' ? out.migrating : out.importing).push({ slot: slotNumber(m[1]!), id: m[3]! });
      continue;
    }
    const dash = tok.indexOf('-');
    const start = slotNumber(dash === -1 ? tok : tok.slice(0, dash));
    const end = dash === -1 ? start : slotNumber(tok.slice(dash + 1));
    if (end < start) throw new NodeLineError(`bad slot range '${tok}'`);
    out.slots.push({ start, end });
  }
  return out;
}
