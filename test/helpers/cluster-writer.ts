// Continuous writes through a cluster client while the cluster changes under it (scale, rolling
// update, operator failover); remembers the last acknowledged value per key so a final check can
// prove no acknowledged write was lost.
import { expect } from 'vitest';
import type { Cluster } from 'ioredis';

export class Writer {
  readonly acked = new Map<string, string>();
  readonly errors: string[] = [];
  writes = 0;
  private stopped = false;
  private done: Promise<void> | null = null;

  constructor(
    private readonly client: Cluster,
    private readonly keys: number,
  ) {}

  start(): void {
    this.done = (async () => {
      for (let n = 0; !this.stopped; n++) {
        const batch: Promise<void>[] = [];
        for (let i = 0; i < 20; i++) {
          const key = `w:${(n * 20 + i) % this.keys}`;
          const value = `${n}-${i}`;
          batch.push(this.client.set(key, value).then(
            () => {
              this.acked.set(key, value);
              this.writes++;
            },
            (e: unknown) => {
              this.errors.push(String(e));
            },
          ));
        }
        await Promise.all(batch);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  /** Keys whose value is not the last acknowledged one. */
  lost(): Promise<string[]> {
    return lostWrites(this.client, this.acked);
  }

  /** After stop(): no client error, more than minWrites acknowledged, every acknowledged write readable. */
  async expectNothingLost(minWrites = 0): Promise<void> {
    // The texts go into the messages too: a caller that rethrows keeps only the message.
    const errors = this.errors.slice(0, 5);
    expect(errors, `client errors: ${errors.join('; ')}`).toEqual([]);
    if (minWrites > 0) expect(this.writes).toBeGreaterThan(minWrites);
    const lost = await this.lost();
    expect(lost, `lost writes: ${lost.slice(0, 5).join('; ')}`).toEqual([]);
  }
}

/** Keys whose value (read through the client) is not the acknowledged one. */
export async function lostWrites(client: Cluster, acked: ReadonlyMap<string, string>): Promise<string[]> {
  const bad: string[] = [];
  const keys = [...acked.keys()];
  for (let i = 0; i < keys.length; i += 100) {
    const chunk = keys.slice(i, i + 100);
    const values = await Promise.all(chunk.map((k) => client.get(k)));
    chunk.forEach((k, j) => {
      if (values[j] !== acked.get(k)) bad.push(`${k}: ${values[j]} != ${acked.get(k)}`);
    });
  }
  return bad;
}
