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

/** Imports running on this (target) node, so that EXPORT-OUTCOME can abort an unclaimed one. */
export interface RunningImport {
  start: number;
  end: number;
  /** Ends the import without claiming; false when it already claimed. */
  abortUnclaimed(reason: string): boolean;
}

export const runningImports = new Set<RunningImport>();

/** Aborts every unclaimed import overlapping start..end. */
export function abortImports(start: number, end: number, reason: string): void {
  for (const i of [...runningImports]) if (i.start <= end && start <= i.end) i.abortUnclaimed(reason);
}
