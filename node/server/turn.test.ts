import { describe, expect, it } from 'vitest';
import { onTurnYield, yieldTurn } from './turn.js';

describe('yieldTurn', () => {
  it('runs the registered flushes after pending immediates, and not after unregistering', async () => {
    const order: string[] = [];
    const off = onTurnYield(() => order.push('flush'));
    setImmediate(() => order.push('io'));
    await yieldTurn();
    expect(order).toEqual(['io', 'flush']);
    off();
    await yieldTurn(true);
    expect(order).toEqual(['io', 'flush']);
  });
});
