// SLOWLOG and LATENCY state. The dispatcher compares each command's duration with one number,
// `floorUs` (the lower of the two enabled thresholds), and only then calls record(): monitoring
// costs a single comparison per command while nothing is slow.
import type { Config } from '../config/config.js';

export interface SlowlogEntry {
  id: number;
  /** Unix seconds. */
  time: number;
  usec: number;
  args: string[];
  peer: string;
  name: string;
}

/** Redis keeps at most this many arguments, each at most this many bytes, per slowlog entry. */
const MAX_ARGS = 32;
const MAX_ARG_LEN = 128;
/** Samples kept per latency event (Redis's LATENCY_TS_LEN). */
const LATENCY_SAMPLES = 160;

export interface LatencySample {
  /** Unix seconds. */
  time: number;
  ms: number;
}

export interface LatencyEvent {
  samples: LatencySample[];
  max: number;
}

/** The arguments as a slowlog entry keeps them: at most 32, each cut to 128 bytes. */
export function slowlogArgs(argv: readonly string[]): string[] {
  const n = Math.min(argv.length, MAX_ARGS);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (n === MAX_ARGS && i === MAX_ARGS - 1 && argv.length > MAX_ARGS) {
      out.push(`... (${argv.length - MAX_ARGS + 1} more arguments)`);
      break;
    }
    const a = argv[i]!;
    out.push(a.length > MAX_ARG_LEN ? `${a.slice(0, MAX_ARG_LEN)}... (${a.length - MAX_ARG_LEN} more bytes)` : a);
  }
  return out;
}

export class Monitors {
  /** Newest first. */
  slowlog: SlowlogEntry[] = [];
  private nextId = 0;
  readonly latency = new Map<string, LatencyEvent>();
  /** Durations (µs) below this are neither slow nor latency events; Infinity when both are off. */
  floorUs = Infinity;
  private slowUs = -1;
  private maxLen = 128;
  private latencyUs = 0;

  constructor(private readonly config: Config) {
    this.apply();
    config.onChange((name) => {
      if (name === 'slowlog-log-slower-than' || name === 'slowlog-max-len' || name === 'latency-monitor-threshold') this.apply();
    });
  }

  private apply(): void {
    this.slowUs = this.config.int('slowlog-log-slower-than');
    this.maxLen = this.config.int('slowlog-max-len');
    this.latencyUs = this.config.int('latency-monitor-threshold') * 1000;
    if (this.slowlog.length > this.maxLen) this.slowlog.length = Math.max(this.maxLen, 0);
    const slow = this.slowUs >= 0 && this.maxLen > 0 ? this.slowUs : Infinity;
    const lat = this.latencyUs > 0 ? this.latencyUs : Infinity;
    this.floorUs = Math.min(slow, lat);
  }

  /** A command took `usec`; called only when usec >= floorUs. */
  record(argv: readonly string[], usec: number, fast: boolean, peer: string, name: string, skipSlowlog: boolean): void {
    if (!skipSlowlog && this.slowUs >= 0 && this.maxLen > 0 && usec >= this.slowUs) {
      this.slowlog.unshift({ id: this.nextId++, time: Math.floor(Date.now() / 1000), usec, args: slowlogArgs(argv), peer, name });
      if (this.slowlog.length > this.maxLen) this.slowlog.length = this.maxLen;
    }
    if (this.latencyUs > 0 && usec >= this.latencyUs) this.addLatency(fast ? 'fast-command' : 'command', Math.floor(usec / 1000));
  }

  /** Records an event of `ms` milliseconds; one sample per second (the worst one), as Redis. */
  addLatency(event: string, ms: number): void {
    const now = Math.floor(Date.now() / 1000);
    let e = this.latency.get(event);
    if (e === undefined) this.latency.set(event, (e = { samples: [], max: 0 }));
    if (ms > e.max) e.max = ms;
    const last = e.samples[e.samples.length - 1];
    if (last !== undefined && last.time === now) {
      if (ms > last.ms) last.ms = ms;
      return;
    }
    e.samples.push({ time: now, ms });
    if (e.samples.length > LATENCY_SAMPLES) e.samples.shift();
  }

  resetSlowlog(): void {
    this.slowlog = [];
  }

  /** Forgets the given events (all when none given); the number of events reset. */
  resetLatency(events: readonly string[]): number {
    if (events.length === 0) {
      const n = this.latency.size;
      this.latency.clear();
      return n;
    }
    let n = 0;
    for (const e of events) if (this.latency.delete(e)) n++;
    return n;
  }
}
