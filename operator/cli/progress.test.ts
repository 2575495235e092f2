import { describe, expect, it } from 'vitest';
import type { Status } from '../api/v1alpha1.js';
import { progressPrinter } from './progress.js';

const moving = (moved: number): Status => ({ phase: 'Scaling', operation: { type: 'ScaleOut', message: 'm', slotsTotal: 300, slotsMoved: moved, startedAt: 'x' } });

function run(isTTY: boolean): string {
  let text = '';
  const p = progressPrinter({ isTTY, write: (t: string) => (text += t) }, 'Rebalance');
  for (const s of [moving(0), moving(0), moving(150), moving(300)]) p.update(s);
  p.end();
  return text;
}

describe('progress printer', () => {
  it('redraws one line in place on a terminal', () => {
    const text = run(true);
    expect(text.split('\r\x1b[2K')).toEqual(['', 'Rebalance [' + '-'.repeat(30) + '] slots moved 0 of 300', 'Rebalance [' + '#'.repeat(15) + '-'.repeat(15) + '] slots moved 150 of 300', 'Rebalance [' + '#'.repeat(30) + '] slots moved 300 of 300\n']);
  });

  it('prints plain lines, once per change, elsewhere', () => {
    const text = run(false);
    expect(text).not.toMatch(/[\r\x1b]/);
    expect(text.split('\n')).toHaveLength(4);
    expect(text).toContain('Rebalance [###############---------------] slots moved 150 of 300\n');
  });
});
