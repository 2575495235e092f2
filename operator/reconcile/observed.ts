// One observed snapshot of a cluster: the resource, its members as the platform reports them, and
// each reachable member's own view of the cluster (CLUSTER NODES). Everything the planner decides
// is a pure function of this snapshot; nothing is remembered between passes.
import type { RedisShardCluster } from '../api/v1alpha1.js';
import type { Member } from '../platform/platform.js';
import type { SlotRange } from '../../common/slots.js';

export interface NodeLine {
  id: string;
  host: string;
  port: number;
  busPort: number;
  hostname: string | null;
  flags: ReadonlySet<string>;
  masterId: string | null;
  configEpoch: number;
  connected: boolean;
  slots: SlotRange[];
  /** Open slots on this node (only ever shown on the myself line). */
  migrating: { slot: number; to: string }[];
  importing: { slot: number; from: string }[];
}

export class ClusterNodesParseError extends Error {}

const ID_RE = /^[0-9a-f]{40}$/;

function parseSlotToken(tok: string, line: NodeLine): void {
  if (tok.startsWith('[')) {
    const body = tok.slice(1, -1);
    let m = /^(\d+)->-([0-9a-f]{40})$/.exec(body);
    if (m) return void line.migrating.push({ slot: Number(m[1]), to: m[2]! });
    m = /^(\d+)-<-([0-9a-f]{40})$/.exec(body);
    if (m) return void line.importing.push({ slot: Number(m[1]), from: m[2]! });
    throw new ClusterNodesParseError(`bad open-slot token ${tok}`);
  }
  const m = /^(\d+)(?:-(\d+))?$/.exec(tok);
  if (!m) throw new ClusterNodesParseError(`bad slot token ${tok}`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > end || end > 16383) throw new ClusterNodesParseError(`bad slot range ${tok}`);
  line.slots.push({ start, end });
}

/** Parses the CLUSTER NODES reply (7.0 format: id addr flags master ping pong epoch link slots...). */
export function parseClusterNodes(text: string): NodeLine[] {
  const out: NodeLine[] = [];
  for (const raw of text.split('\n')) {
    const lineText = raw.trim();
    if (!lineText) continue;
    const f = lineText.split(' ');
    if (f.length < 8) throw new ClusterNodesParseError(`short CLUSTER NODES line: ${lineText}`);
    const [id, addr, flags, master, , , epoch, link] = f as [string, string, string, string, string, string, string, string];
    if (!ID_RE.test(id)) throw new ClusterNodesParseError(`bad node id ${id}`);
    const am = /^(.*):(\d+)@(\d+)(?:,(.*))?$/.exec(addr);
    if (!am) throw new ClusterNodesParseError(`bad address ${addr}`);
    const line: NodeLine = {
      id,
      host: am[1]!,
      port: Number(am[2]),
      busPort: Number(am[3]),
      hostname: am[4] ? am[4] : null,
      flags: new Set(flags.split(',')),
      masterId: master === '-' ? null : master,
      configEpoch: Number(epoch),
      connected: link === 'connected',
      slots: [],
      migrating: [],
      importing: [],
    };
    for (const tok of f.slice(8)) parseSlotToken(tok, line);
    out.push(line);
  }
  return out;
}

export interface NodeView {
  /** The node's own line (flags contain "myself"). */
  self: NodeLine;
  /** Every line the node reported, itself included. */
  lines: NodeLine[];
  /** Keys held (DBSIZE); a master is removed only at zero. */
  keys: number;
  /** For a replica: its replication link to the master is up (INFO replication); null for masters. */
  linkUp?: boolean | null;
  /** Replication offset: master_repl_offset on a master, slave_repl_offset on a replica. */
  replOffset?: number;
  /** The node offers our atomic whole-slot migration (CLUSTER IMPORT-SLOTS); redis-server does not. */
  atomicSlots?: boolean;
  /**
   * cluster_state:ok in its CLUSTER INFO. A master that has just joined reports fail for up to a
   * node timeout after it last saw itself in a minority (Redis's rejoin delay), and would answer
   * CLUSTERDOWN for slots handed to it meanwhile.
   */
  clusterOk?: boolean;
}

/** master_link_status from an INFO replication reply: true/false on a replica, null on a master. */
export function parseReplicationLink(info: string): boolean | null {
  if (!/^role:slave/m.test(info)) return null;
  return /^master_link_status:up/m.test(info);
}

/** The node's replication offset from INFO replication (see NodeView.replOffset). */
export function parseReplicationOffset(info: string): number | undefined {
  const m = (/^role:slave/m.test(info) ? /^slave_repl_offset:(\d+)/m : /^master_repl_offset:(\d+)/m).exec(info);
  return m ? Number(m[1]) : undefined;
}

export interface MemberObservation {
  member: Member;
  /** Present when the node answered; otherwise error says why not. */
  view?: NodeView;
  error?: string;
}

export interface Observed {
  cluster: RedisShardCluster;
  members: MemberObservation[];
  /** Wall clock of the observation (ms); passed in so planning stays pure. */
  now: number;
}

export function isMaster(l: NodeLine): boolean {
  return l.flags.has('master');
}

export function isFailed(l: NodeLine): boolean {
  return l.flags.has('fail') || l.flags.has('fail?') || l.flags.has('noaddr');
}

export function slotCount(ranges: readonly SlotRange[]): number {
  let n = 0;
  for (const r of ranges) n += r.end - r.start + 1;
  return n;
}
