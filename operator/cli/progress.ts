// Progress of long work (up, scale, rebalance) on stderr: on a terminal one line redrawn in place
// (carriage return + erase line), elsewhere (logs, CI, pipes) one plain line per change.
import type { Status } from '../api/v1alpha1.js';
import { progressLine } from './slot-map.js';

export interface ProgressOut {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  update(s: Status): void;
  end(): void;
}

export function progressPrinter(out: ProgressOut, label?: string): Progress {
  const tty = Boolean(out.isTTY);
  let last = '';
  return {
    update(s) {
      const line = progressLine(s, 30, label);
      if (line === last) return;
      last = line;
      if (tty) out.write(`\r\x1b[2K${line}`);
      else out.write(`${line}\n`);
    },
    end() {
      if (tty && last) out.write('\n');
    },
  };
}
