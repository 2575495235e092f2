// The terminal picture of a cluster: one bar across the 16384 slots, a letter per shard, and a
// table of shards with their master, replicas and slot ranges. Pure (status in, text out).
import type { Status } from '../api/v1alpha1.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function shardLetter(i: number): string {
  return LETTERS[i % LETTERS.length]!;
}

function parseRanges(text: string): [number, number][] {
  return text
    .split(' ')
    .filter(Boolean)
    .map((t) => {
      const [a, b] = t.split('-');
      return [Number(a), Number(b ?? a)] as [number, number];
    });
}

/** One character per 16384/width slots: the shard owning most of that cell, '.' when none. */
export function slotBar(status: Status, width = 64): string {
  const owner = new Int16Array(16384).fill(-1);
  for (const s of status.shards ?? []) for (const [a, b] of parseRanges(s.slots)) for (let x = a; x <= b; x++) owner[x] = s.index;
  const cell = 16384 / width;
  let out = '';
  for (let c = 0; c < width; c++) {
    const counts = new Map<number, number>();
    for (let x = Math.floor(c * cell); x < Math.floor((c + 1) * cell); x++) counts.set(owner[x]!, (counts.get(owner[x]!) ?? 0) + 1);
    const best = [...counts.entries()].sort((p, q) => q[1] - p[1])[0]!;
    out += best[0] === -1 ? '.' : shardLetter(best[0]);
  }
  return out;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length);
}

export function renderStatus(name: string, status: Status, width = 64): string {
  const lines: string[] = [];
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  lines.push(`cluster ${name}: ${status.phase ?? 'Unknown'}  ${status.slotsAssigned ?? 0}/16384 slots  members ${status.readyMembers ?? '-'}`);
  if (ready && status.phase !== 'Ready') lines.push(`  ${ready.reason}: ${ready.message}`);
  if (status.operation) {
    const op = status.operation;
    const prog = op.slotsTotal ? ` (slots moved ${op.slotsMoved ?? 0} of ${op.slotsTotal})` : '';
    lines.push(`  operation ${op.type}${prog}: ${op.message}`);
  }
  if (status.lastError) lines.push(`  last error: ${status.lastError}`);
  lines.push('');
  lines.push(`  slot 0${' '.repeat(Math.max(1, width - 6))}16383`);
  lines.push(`  [${slotBar(status, width)}]`);
  lines.push('');
  lines.push(`  ${pad('shard', 7)}${pad('master', 24)}${pad('replicas', 24)}slots`);
  for (const s of status.shards ?? []) {
    const master = s.master?.address ?? s.master?.name ?? '(none)';
    const replicas = s.replicas.map((r) => r.address ?? r.name).join(', ') || '-';
    lines.push(`  ${pad(`${shardLetter(s.index)} ${s.index}`, 7)}${pad(master, 24)}${pad(replicas, 24)}${s.slotCount} ${s.slots ? `(${s.slots})` : ''}`);
  }
  return lines.join('\n');
}

function bar(done: number, total: number, width: number): string {
  const filled = Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** A one-line progress bar for long operations; `label` names the work instead of the operation. */
export function progressLine(status: Status, width = 30, label?: string): string {
  const op = status.operation;
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  // An invalid spec is not retried: the controller waits for the spec to change.
  if (status.lastError && status.phase !== 'Ready' && status.phase !== 'Invalid') return `retrying after: ${status.lastError}`;
  if (op?.slotsTotal) {
    const moved = op.slotsMoved ?? 0;
    return `${label ?? op.type} ${bar(moved, op.slotsTotal, width)} slots moved ${moved} of ${op.slotsTotal}`;
  }
  // A rolling update counts members restarted with the new image or config, not slots.
  const roll = op as { membersUpdated?: number; membersTotal?: number } | undefined;
  if (op && roll?.membersTotal) {
    const updated = roll.membersUpdated ?? 0;
    return `${label ?? op.type} ${bar(updated, roll.membersTotal, width)} members updated ${updated} of ${roll.membersTotal}`;
  }
  return `${status.phase ?? 'Pending'}: ${ready?.message ?? ''}`;
}
