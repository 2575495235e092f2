// Pace of the slot export stream (slot-export.ts): a token bucket over keys whose refill rate
// adapts to how late this process gets the CPU back. Between turns the exporter sleeps a
// millisecond; when that timer fires late, the process was not scheduled in time or was busy
// (clients, a collection), and the clients of every process on the machine are waiting too:
// the pace drops multiplicatively, and climbs back additively once timers are on time again.
// Pure: the clock is passed in.

/** A timer this much later than asked means the machine (or this process) is congested. */
export const LATE_MS = 2;
/** The pace never drops below this share of the configured rate (the move must finish). */
export const MIN_PACE_SHARE = 0.5;
/** Multiplicative decrease per late timer. */
const DECREASE = 0.7;
/** Additive increase per on-time timer, as a share of the configured rate. */
const INCREASE_SHARE = 1 / 16;
/**
 * Keys the bucket holds at most, in seconds of the current pace (bounds a turn's work too): ten
 * of the exporter's 2 ms idle pauses, so that a timer several ms late loses no keys.
 */
export const BURST_S = 0.02;

export class Pacer {
  /** Keys per second allowed now (between MIN_PACE_SHARE * rate and rate). */
  pace: number;
  /** Late timers seen, and the lowest pace reached (for the export's log line). */
  lateTimers = 0;
  minPace: number;
  private allowance: number;
  private refilled: number;

  /** `rate`: keys per second, 0 = unpaced (every call allows anything). */
  constructor(
    readonly rate: number,
    now: number,
  ) {
    this.pace = rate;
    this.minPace = rate;
    this.allowance = this.burst();
    this.refilled = now;
  }

  private burst(): number {
    return this.rate > 0 ? Math.max(16, this.pace * BURST_S) : Infinity;
  }

  /** Keys that may be sent now. */
  available(now: number): number {
    if (this.rate === 0) return Infinity;
    this.allowance = Math.min(this.burst(), this.allowance + ((now - this.refilled) * this.pace) / 1000);
    this.refilled = now;
    return this.allowance;
  }

  spend(keys: number): void {
    this.allowance -= keys;
  }

  /** Milliseconds until one key is allowed (0 when one is). */
  waitMs(): number {
    if (this.rate === 0 || this.allowance >= 1) return 0;
    return Math.max(1, Math.ceil(((1 - this.allowance) * 1000) / this.pace));
  }

  /** A timer asked to fire after `askedMs` fired after `tookMs`. */
  observeTimer(askedMs: number, tookMs: number): void {
    if (this.rate === 0) return;
    if (tookMs - askedMs > LATE_MS) {
      this.lateTimers++;
      this.pace = Math.max(this.rate * MIN_PACE_SHARE, this.pace * DECREASE);
      this.minPace = Math.min(this.minPace, this.pace);
    } else this.pace = Math.min(this.rate, this.pace + this.rate * INCREASE_SHARE);
  }
}
