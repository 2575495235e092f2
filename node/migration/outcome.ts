// How an interrupted atomic slot export ends (see slot-export.ts). After EXPORT-PAUSED the
// source cannot tell from a broken link whether the target claimed the slots, so it asks the
// target on a fresh connection: `CLUSTER EXPORT-OUTCOME <start> <end> <source-id>` replies
// `+CLAIMED` when the target owns every slot of the range, else the target aborts any unclaimed
// import of those slots for good and replies `+ABORTED`. Both run on the target's event loop, so
// a claim can never follow an ABORTED answer.
import net from 'node:net';
import { ReplyReader } from '../../common/resp/reply-reader.js';
import { command as encodeCommand } from '../../common/resp/encode.js';

export type ExportOutcome = 'claimed' | 'aborted' | 'unknown';

const ASK_TIMEOUT_MS = 1000;

/** One query to the target; 'unknown' when it cannot be reached or answers anything else. */
export function askOutcome(host: string, port: number, start: number, end: number, sourceId: string): Promise<ExportOutcome> {
  return new Promise((resolve) => {
    const reader = new ReplyReader();
    const sock = net.connect({ host, port });
    sock.setNoDelay(true);
    let settled = false;
    const done = (r: ExportOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('unknown'), ASK_TIMEOUT_MS);
    sock.on('connect', () => sock.write(encodeCommand(['CLUSTER', 'EXPORT-OUTCOME', String(start), String(end), sourceId]), 'latin1'));
    sock.on('data', (d: Buffer) => {
      reader.feed(d);
      const v = reader.shift();
      if (v === undefined) return;
      done(v === 'CLAIMED' ? 'claimed' : v === 'ABORTED' ? 'aborted' : 'unknown');
    });
    sock.on('error', () => done('unknown'));
    sock.on('close', () => done('unknown'));
  });
}

/**
 * Imports running on this (target) node, so that EXPORT-OUTCOME can abort an unclaimed one and
 * CLUSTER NODES can show them.
 */
export interface RunningImport {
  /** The node's cluster manager (several nodes may share a process in tests). */
  owner: object;
  start: number;
  end: number;
  /** The source's node ID, as CLUSTER NODES shows it (`[<slot>-<-<id>]`), or '' if unknown. */
  sourceId: string;
  /** True once the slots are claimed (then nothing is shown: they are ours). */
  claimed(): boolean;
  /** Ends the import without claiming; false when it already claimed. */
  abortUnclaimed(reason: string): boolean;
}

export const runningImports = new Set<RunningImport>();

/** Aborts every unclaimed import overlapping start..end. */
export function abortImports(start: number, end: number, reason: string): void {
  for (const i of [...runningImports]) if (i.start <= end && start <= i.end) i.abortUnclaimed(reason);
}

/**
 * The IMPORTING marks of `owner`'s unclaimed imports, one per slot as Redis shows a slot in
 * SETSLOT IMPORTING state, so that an operator (and redis-cli --cluster check) sees an import
 * whose client went away.
 */
export function importMarks(owner: object): { slot: number; id: string }[] {
  const out: { slot: number; id: string }[] = [];
  for (const i of runningImports) {
    if (i.owner !== owner || i.sourceId === '' || i.claimed()) continue;
    for (let s = i.start; s <= i.end; s++) out.push({ slot: s, id: i.sourceId });
  }
  return out;
}

/**
 * Aborts the unclaimed imports of `owner` covering `slot`: CLUSTER SETSLOT <slot> STABLE, or a
 * MIGRATE of the slot's keys away from here, is someone (an operator, redis-cli --cluster fix)
 * resolving the open slot the import shows; the import gives way and drops what it copied.
 */
export function abortImportsOf(owner: object, slot: number, reason: string): void {
  if (runningImports.size === 0) return;
  for (const i of [...runningImports]) if (i.owner === owner && i.start <= slot && slot <= i.end) i.abortUnclaimed(reason);
}
