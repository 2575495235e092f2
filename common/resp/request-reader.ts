// Incremental reader of client requests (RESP multibulk and inline), with Redis's limits and
// error texts. Arguments come out as latin1 strings so that every byte round-trips exactly.

export interface RequestLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** Upper bound on the element count of one multibulk request. */
  maxMultibulk: number;
  /** Longest inline request, and longest count/length line (PROTO_INLINE_MAX_SIZE). */
  maxInline: number;
}

export const DEFAULT_LIMITS: RequestLimits = {
  maxBulkLen: 512 * 1024 * 1024,
  maxMultibulk: 2147483647,
  maxInline: 64 * 1024,
};

/** Limits Redis applies before a client has authenticated. */
export const UNAUTHENTICATED_LIMITS = { maxMultibulk: 10, maxBulkLen: 16384 };

export class ProtocolError extends Error {
  constructor(readonly reason: string) {
    super(`Protocol error: ${reason}`);
  }
}

const CR = 13;
const LF = 10;

/**
 * Buffer's own latin1 decoder: what toString('latin1', ...) ends in, without its argument
 * checks and encoding lookup, which cost as much as the copy for the short arguments of a request.
 */
type Latin1Sliceable = Buffer & { latin1Slice(start: number, end: number): string };
// It is not a documented API: should a Node release drop it, fall back to the documented call.
if (typeof (Buffer.prototype as Partial<Latin1Sliceable>).latin1Slice !== 'function') {
  Object.defineProperty(Buffer.prototype, 'latin1Slice', {
    value(this: Buffer, start: number, end: number): string {
      return this.toString('latin1', start, end);
    },
  });
}

/**
 * buf[p, p+n) as a latin1 string. Up to 24 bytes, String.fromCharCode with the bytes as arguments
 * builds the string inside V8, where latin1Slice pays a native API call (~35 ns, about twice as
 * much for a 16-byte key, four times for a 3-byte value); longer ones take latin1Slice.
 */
function latin1Short(b: Buffer, p: number, n: number): string {
  switch (n) {
    case 0:
      return '';
    case 1:
      return String.fromCharCode(b[p]!);
    case 2:
      return String.fromCharCode(b[p]!, b[p + 1]!);
    case 3:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!);
    case 4:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
    case 5:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!);
    case 6:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!);
    case 7:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!);
    case 8:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
    case 9:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!);
    case 10:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!);
    case 11:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!);
    case 12:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!);
    case 13:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!);
    case 14:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!);
    case 15:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!);
    case 16:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!);
    case 17:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!, b[p + 16]!);
    case 18:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!, b[p + 16]!, b[p + 17]!);
    case 19:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!, b[p + 16]!, b[p + 17]!, b[p + 18]!);
    case 20:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!, b[p + 16]!, b[p + 17]!, b[p + 18]!, b[p + 19]!);
    case 21:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!, b[p + 16]!, b[p + 17]!, b[p + 18]!, b[p + 19]!, b[p + 20]!);
    case 22:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!, b[p + 16]!, b[p + 17]!, b[p + 18]!, b[p + 19]!, b[p + 20]!, b[p + 21]!);
    case 23:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!, b[p + 16]!, b[p + 17]!, b[p + 18]!, b[p + 19]!, b[p + 20]!, b[p + 21]!, b[p + 22]!);
    case 24:
      return String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!, b[p + 8]!, b[p + 9]!, b[p + 10]!, b[p + 11]!, b[p + 12]!, b[p + 13]!, b[p + 14]!, b[p + 15]!, b[p + 16]!, b[p + 17]!, b[p + 18]!, b[p + 19]!, b[p + 20]!, b[p + 21]!, b[p + 22]!, b[p + 23]!);
    default:
      return (b as Latin1Sliceable).latin1Slice(p, p + n);
  }
}

/** Requests with up to this many arguments have their bounds recorded without allocating. */
const SPAN_MAX = 16;

/** Longest argument remembered for reuse (see arg()). */
const RECENT_MAX = 16;
/**
 * Argument positions remembered: the command name and the first argument (the key of most
 * commands). Later positions hold values, which real pipelines rarely repeat byte for byte
 * (redis-benchmark does: its payload is fixed, and reusing it would only flatter the benchmark).
 */
const RECENT_SLOTS = 2;

export class RequestReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private args: string[] = [];
  private remaining = 0; // bulk strings still expected in the current multibulk
  private bulkLen = -1; // length of the bulk being read, -1 when reading its header
  private failed: ProtocolError | null = null;
  /** The last short string read at each argument position: pipelined requests repeat them (see arg()). */
  private readonly recent: string[] = new Array<string>(RECENT_SLOTS).fill('');
  limits: RequestLimits;
  unauthenticated = false;

  constructor(limits: RequestLimits = DEFAULT_LIMITS) {
    this.limits = limits;
  }

  feed(chunk: Buffer): void {
    const rest = this.buf.length - this.pos;
    if (rest === 0) {
      this.buf = chunk;
      this.pos = 0;
      this.spare = null;
      return;
    }
    const spare = this.spare;
    if (spare !== null && this.pos === 0 && this.buf.buffer === spare.buffer && this.buf.byteOffset === spare.byteOffset && rest + chunk.length <= spare.length) {
      chunk.copy(spare, rest);
      this.buf = spare.subarray(0, rest + chunk.length);
      return;
    }
    // A big bulk still arriving gets its whole size allocated once, so that receiving it costs
    // one copy per chunk instead of a concatenation per chunk.
    const need = this.bulkLen > 32 * 1024 ? this.bulkLen + 2 : 0;
    const next = Buffer.allocUnsafe(Math.max(rest + chunk.length, need));
    this.buf.copy(next, 0, this.pos);
    chunk.copy(next, rest);
    this.spare = next.length > rest + chunk.length ? next : null;
    this.buf = next.subarray(0, rest + chunk.length);
    this.pos = 0;
  }

  private spare: Buffer | null = null;
  /** Argument bounds of the request being parsed (parseWholeMultibulk), reused across requests. */
  private readonly spans = new Float64Array(2 * SPAN_MAX);

  /** Bytes received and not yet consumed by a complete request. */
  get pending(): number {
    return this.buf.length - this.pos;
  }

  /**
   * The next complete request, or null when more bytes are needed. Throws ProtocolError once the
   * stream is malformed; the caller replies with the error and closes the connection.
   */
  next(): string[] | null {
    if (this.failed) throw this.failed;
    try {
      return this.parse();
    } catch (e) {
      if (e instanceof ProtocolError) this.failed = e;
      throw e;
    }
  }

  private parse(): string[] | null {
    for (;;) {
      const buf = this.buf;
      if (this.pos >= buf.length) return null;
      if (this.remaining === 0) {
        if (buf[this.pos] === 0x2a /* '*' */) {
          const fast = this.parseWholeMultibulk();
          if (fast !== null) return fast;
        }
        if (buf[this.pos] !== 0x2a /* '*' */) {
          const cmd = this.parseInline();
          if (cmd === null) return null;
          if (cmd.length === 0) continue;
          return cmd;
        }
        const line = this.readLine('too big mbulk count string');
        if (line === null) return null;
        const n = parseInteger(buf, line.start + 1, line.end);
        if (n === null || n > this.limits.maxMultibulk || n > 2147483647) throw new ProtocolError('invalid multibulk length');
        if (this.unauthenticated && n > UNAUTHENTICATED_LIMITS.maxMultibulk) throw new ProtocolError('unauthenticated multibulk length');
        if (n <= 0) continue;
        this.remaining = n;
        this.args = [];
      }
      while (this.remaining > 0) {
        if (this.bulkLen < 0) {
          if (this.pos >= buf.length) return null;
          if (buf[this.pos] !== 0x24 /* '$' */) {
            throw new ProtocolError(`expected '$', got '${String.fromCharCode(buf[this.pos]!)}'`);
          }
          const line = this.readLine('too big bulk count string');
          if (line === null) return null;
          const len = parseInteger(buf, line.start + 1, line.end);
          if (len === null || len < 0 || len > this.limits.maxBulkLen) throw new ProtocolError('invalid bulk length');
          if (this.unauthenticated && len > UNAUTHENTICATED_LIMITS.maxBulkLen) throw new ProtocolError('unauthenticated bulk length');
          this.bulkLen = len;
        }
        if (buf.length - this.pos < this.bulkLen + 2) return null;
        this.args.push(this.arg(buf, this.pos, this.bulkLen, this.args.length));
        this.pos += this.bulkLen + 2;
        this.bulkLen = -1;
        this.remaining--;
      }
      const args = this.args;
      this.args = [];
      if (this.pos >= this.buf.length) {
        this.buf = EMPTY;
        this.pos = 0;
      }
      return args;
    }
  }

  /**
   * The common case in one pass: a multibulk request entirely in the buffer, every count and
   * length plain digits ended by CRLF, within the limits. Returns null (consuming nothing) for
   * anything else, which the general parser then handles with its exact errors.
   */
  private parseWholeMultibulk(): string[] | null {
    const buf = this.buf;
    const len = buf.length;
    let p = this.pos + 1;
    let n = 0;
    let digits = 0;
    let c = 0;
    while (p < len && (c = buf[p]!) >= 48 && c <= 57 && digits < 10) {
      n = n * 10 + c - 48;
      p++;
      digits++;
    }
    if (digits === 0 || c !== CR || p + 1 >= len || buf[p + 1] !== LF) return null;
    if (n <= 0 || n > this.limits.maxMultibulk || (this.unauthenticated && n > UNAUTHENTICATED_LIMITS.maxMultibulk)) return null;
    p += 2;
    const maxBulk = this.unauthenticated ? Math.min(this.limits.maxBulkLen, UNAUTHENTICATED_LIMITS.maxBulkLen) : this.limits.maxBulkLen;
    // Where each argument starts and ends: the array is built once the request is known complete,
    // with an exact-size literal for the common short requests rather than push's growth.
    const spans = n <= SPAN_MAX ? this.spans : new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      if (p >= len || buf[p] !== 0x24 /* '$' */) return null;
      p++;
      let blen = 0;
      digits = 0;
      while (p < len && (c = buf[p]!) >= 48 && c <= 57 && digits < 10) {
        blen = blen * 10 + c - 48;
        p++;
        digits++;
      }
      if (digits === 0 || c !== CR || p + 1 >= len || buf[p + 1] !== LF || blen > maxBulk) return null;
      p += 2;
      if (len - p < blen + 2) return null;
      spans[2 * i] = p;
      spans[2 * i + 1] = p + blen;
      p += blen + 2;
    }
    const name = this.arg(buf, spans[0]!, spans[1]! - spans[0]!, 0);
    let args: string[];
    if (n === 1) args = [name];
    else if (n === 2) args = [name, this.arg(buf, spans[2]!, spans[3]! - spans[2]!, 1)];
    else if (n === 3) args = [name, this.arg(buf, spans[2]!, spans[3]! - spans[2]!, 1), this.arg(buf, spans[4]!, spans[5]! - spans[4]!, 2)];
    else if (n === 4) {
      args = [name, this.arg(buf, spans[2]!, spans[3]! - spans[2]!, 1), this.arg(buf, spans[4]!, spans[5]! - spans[4]!, 2), this.arg(buf, spans[6]!, spans[7]! - spans[6]!, 3)];
    } else {
      args = [name];
      for (let i = 1; i < n; i++) args.push(this.arg(buf, spans[2 * i]!, spans[2 * i + 1]! - spans[2 * i]!, i));
    }
    if (p >= len) {
      this.buf = EMPTY;
      this.pos = 0;
    } else this.pos = p;
    return args;
  }

  /**
   * The argument at buf[p, p+n), position `i` of its request: the previous request's string at
   * that position when the bytes are the same. Pipelined requests repeat their command name and
   * often their key (LPUSH queue ...), and one short compare costs less than a native call and a
   * new string; equal keys then also compare equal by identity in the key tables.
   */
  private arg(buf: Buffer, p: number, n: number, i: number): string {
    if (i >= RECENT_SLOTS || n > RECENT_MAX) return latin1Short(buf, p, n);
    const last = this.recent[i]!;
    // Keys that differ (key:000000012345) mostly differ in their last byte: tried first.
    if (last.length === n && (n === 0 || last.charCodeAt(n - 1) === buf[p + n - 1])) {
      let j = 0;
      while (j < n && last.charCodeAt(j) === buf[p + j]) j++;
      if (j === n) return last;
    }
    const s = latin1Short(buf, p, n);
    this.recent[i] = s;
    return s;
  }

  /** Finds the CRLF-terminated line at pos; advances past it. */
  private readLine(tooBig: string): { start: number; end: number } | null {
    const buf = this.buf;
    const nl = buf.indexOf(LF, this.pos);
    if (nl === -1) {
      if (buf.length - this.pos > this.limits.maxInline) throw new ProtocolError(tooBig);
      return null;
    }
    const end = nl > this.pos && buf[nl - 1] === CR ? nl - 1 : nl;
    if (end - this.pos > this.limits.maxInline) throw new ProtocolError(tooBig);
    const start = this.pos;
    this.pos = nl + 1;
    return { start, end };
  }

  private parseInline(): string[] | null {
    const buf = this.buf;
    const nl = buf.indexOf(LF, this.pos);
    if (nl === -1) {
      if (buf.length - this.pos > this.limits.maxInline) throw new ProtocolError('too big inline request');
      return null;
    }
    let end = nl;
    if (end > this.pos && buf[end - 1] === CR) end--;
    const line = buf.toString('latin1', this.pos, end);
    this.pos = nl + 1;
    const args = splitInlineArgs(line);
    if (args === null) throw new ProtocolError('unbalanced quotes in request');
    return args;
  }
}

const EMPTY = Buffer.alloc(0);

/** Parses a signed decimal integer in buf[start, end); null when it is not one. */
function parseInteger(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 19) return null;
  let i = start;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
    if (i === end) return null;
  }
  let n = 0;
  for (; i < end; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return neg ? -n : n;
}

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/**
 * Splits an inline request the way redis-cli and Redis do: whitespace separates arguments,
 * "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' take \'.
 * A closing quote must be followed by whitespace or the end. Returns null on unbalanced quotes.
 */
export function splitInlineArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return out;
    let cur = '';
    let inDq = false;
    let inSq = false;
    for (;;) {
      if (inDq) {
        if (i >= n) return null;
        const c = line[i]!;
        if (c === '\\' && line[i + 1] === 'x' && i + 3 < n && isHex(line[i + 2]!) && isHex(line[i + 3]!)) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i]!;
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          inDq = false;
          i++;
          break;
        } else cur += c;
        i++;
      } else if (inSq) {
        if (i >= n) return null;
        const c = line[i]!;
        if (c === '\\' && line[i + 1] === "'") {
          cur += "'";
          i++;
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          inSq = false;
          i++;
          break;
        } else cur += c;
        i++;
      } else {
        if (i >= n) break;
        const c = line[i]!;
        if (isSpace(c.charCodeAt(0))) break;
        if (c === '"') inDq = true;
        else if (c === "'") inSq = true;
        else cur += c;
        i++;
      }
    }
    out.push(cur);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}
