// INFO's instantaneous_* figures: a per-second rate averaged over the last 16 samples taken every
// 100 ms or more, as Redis reports them (a dashboard's "ops/sec" reads these, not the totals).
const SAMPLES = 16;
const PERIOD_MS = 100;

export class InstantMetric {
  private readonly samples = new Float64Array(SAMPLES);
  private idx = 0;
  private lastTime = -1;
  private lastValue = 0;

  /** Feeds the counter's current total; takes a sample when PERIOD_MS passed since the last one. */
  track(total: number, nowMs: number): void {
    if (this.lastTime < 0) {
      this.lastTime = nowMs;
      this.lastValue = total;
      return;
    }
    const dt = nowMs - this.lastTime;
    if (dt < PERIOD_MS) return;
    this.samples[this.idx] = ((total - this.lastValue) * 1000) / dt;
    this.idx = (this.idx + 1) % SAMPLES;
    this.lastTime = nowMs;
    this.lastValue = total;
  }

  /** The average rate per second over the samples. */
  rate(): number {
    let sum = 0;
    for (const s of this.samples) sum += s;
    return sum / SAMPLES;
  }
}
