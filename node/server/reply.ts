// Per-connection reply buffer. Handlers append encoded replies; the session writes the buffer to
// the socket once per tick, in one write.
import { formatDouble, type RespVersion } from '../../common/resp/encode.js';

const SMALL_INTS = 1024;
const INT_REPLIES: readonly string[] = Array.from({ length: SMALL_INTS }, (_, i) => `:${i}\r\n`);

export class Reply {
  resp: RespVersion = 2;
  buf = '';
  /** Error replies sent so far (dispatch tells failed calls by it). */
  errorCount = 0;
  /** Counts error replies by code for INFO errorstats. */
  onError: ((msg: string) => void) | null = null;
  /** Called when something was appended outside the session's own read loop. */
  onDirty: (() => void) | null = null;

  private add(s: string): void {
    if (this.buf.length === 0 && this.onDirty !== null) this.onDirty();
    this.buf += s;
  }

  raw(s: string): void {
    this.add(s);
  }
  ok(): void {
    this.add('+OK\r\n');
  }
  simple(s: string): void {
    this.add(`+${s}\r\n`);
  }
  /** `msg` includes its code, e.g. "ERR syntax error" or "WRONGTYPE ...". */
  error(msg: string): void {
    this.errorCount++;
    if (this.onError !== null) this.onError(msg);
    this.add(`-${msg.replace(/[\r\n]+/g, ' ')}\r\n`);
  }
  int(n: number | bigint): void {
    // Small counts (HSET's 0/1, INCR's counters, list lengths) come from a table, not a new string.
    if (typeof n === 'number' && n >= 0 && n < SMALL_INTS && (n | 0) === n) this.add(INT_REPLIES[n]!);
    else this.add(`:${n}\r\n`);
  }
  bulk(s: string): void {
    this.add(`$${s.length}\r\n${s}\r\n`);
  }
  bulkOrNull(s: string | undefined | null): void {
    if (s === undefined || s === null) this.nullBulk();
    else this.add(`$${s.length}\r\n${s}\r\n`);
  }
  nullBulk(): void {
    this.add(this.resp === 3 ? '_\r\n' : '$-1\r\n');
  }
  nullArray(): void {
    this.add(this.resp === 3 ? '_\r\n' : '*-1\r\n');
  }
  array(n: number): void {
    this.add(`*${n}\r\n`);
  }
  map(n: number): void {
    this.add(this.resp === 3 ? `%${n}\r\n` : `*${n * 2}\r\n`);
  }
  set(n: number): void {
    this.add(this.resp === 3 ? `~${n}\r\n` : `*${n}\r\n`);
  }
  push(n: number): void {
    this.add(this.resp === 3 ? `>${n}\r\n` : `*${n}\r\n`);
  }
  double(d: number): void {
    const s = formatDouble(d);
    this.add(this.resp === 3 ? `,${s}\r\n` : `$${s.length}\r\n${s}\r\n`);
  }
  bool(b: boolean): void {
    this.add(this.resp === 3 ? (b ? '#t\r\n' : '#f\r\n') : b ? ':1\r\n' : ':0\r\n');
  }
  /** Free text such as INFO or CLUSTER NODES: verbatim string in RESP3, bulk in RESP2. */
  verbatim(s: string): void {
    this.add(this.resp === 3 ? `=${s.length + 4}\r\ntxt:${s}\r\n` : `$${s.length}\r\n${s}\r\n`);
  }
  bulks(items: readonly string[]): void {
    let s = `*${items.length}\r\n`;
    for (const it of items) s += `$${it.length}\r\n${it}\r\n`;
    this.add(s);
  }
  take(): string {
    const s = this.buf;
    this.buf = '';
    return s;
  }
}
