// Continuous writes through a cluster client while the operator changes the cluster; remembers the
// last acknowledged value per key so a final check can prove no acknowledged write was lost.
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
  async lost(): Promise<string[]> {
    const bad: string[] = [];
    const keys = [...this.acked.keys()];
    for (let i = 0; i < keys.length; i += 100) {
      const chunk = keys.slice(i, i + 100);
      const values = await Promise.all(chunk.map((k) => this.client.get(k)));
      chunk.forEach((k, j) => {
        if (values[j] !== this.acked.get(k)) bad.push(`${k}: ${values[j]} != ${this.acked.get(k)}`);
      });
    }
    return bad;
  }
}
