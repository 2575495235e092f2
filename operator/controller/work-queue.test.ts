import { describe, expect, it } from 'vitest';
import { WorkQueue, type QueueClock } from './work-queue.js';

class FakeClock implements QueueClock {
  t = 0;
  timers: { at: number; fn: () => void; id: number }[] = [];
  private n = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.n;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  /** Advances time, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
  pendingDelays(): number[] {
    return this.timers.map((x) => x.at - this.t);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('WorkQueue', () => {
  it('coalesces adds of a waiting key and never runs one key twice at once', async () => {
    const clock = new FakeClock();
    const runs: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let release: (() => void) | null = null;
    const q = new WorkQueue(
      async (k) => {
        runs.push(k);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (k === 'a' && runs.length === 1) await new Promise<void>((r) => (release = r));
        inFlight--;
      },
      undefined,
      { clock, concurrency: 1 },
    );
    q.add('a');
    q.add('b');
    q.add('b');
    q.add('a'); // while a runs: marked dirty, runs once more afterwards
    q.add('a');
    await tick();
    expect(runs).toEqual(['a']);
    release!();
    await q.idle();
    await tick();
    await q.idle();
    expect(runs).toEqual(['a', 'b', 'a']);
    expect(maxInFlight).toBe(1);
  });

  it('backs off 1s, 2s, 4s ... up to 30s on failures and resets on success', async () => {
    const clock = new FakeClock();
    let fail = 7;
    const delays: number[] = [];
    const q = new WorkQueue(
      async () => {
        if (fail-- > 0) throw new Error('boom');
      },
      (_k, _e, retry) => delays.push(retry),
      { clock },
    );
    q.add('k');
    for (let i = 0; i < 8; i++) {
      await q.idle();
      await tick();
      clock.advance(30_000);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(q.backoffFor(1)).toBe(1000);
  });

  it('requeues after the delay a handler asks for, and an explicit add overrides the delay', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const q = new WorkQueue(
      async () => {
        runs++;
        return { requeueAfterMs: 5000 };
      },
      undefined,
      { clock },
    );
    q.add('k');
    await q.idle();
    await tick();
    expect(runs).toBe(1);
    expect(clock.pendingDelays()).toEqual([5000]);
    q.add('k');
    await q.idle();
    await tick();
    expect(runs).toBe(2);
    clock.advance(5000);
    await q.idle();
    expect(runs).toBe(3);
    q.stop();
    expect(clock.pendingDelays()).toEqual([]);
  });
});
