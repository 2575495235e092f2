import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProtocolError, RequestReader, DEFAULT_LIMITS, splitInlineArgs } from './request-reader.js';
import { command } from './encode.js';

/** Cuts a buffer into pieces at the given (sorted, deduplicated) offsets. */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  out.push(buf.subarray(prev));
  return out;
}

/** Feeds pieces one by one, draining complete requests after each; returns them or the error. */
function readAll(reader: RequestReader, pieces: Buffer[]): { reqs: string[][]; error: unknown } {
  const reqs: string[][] = [];
  try {
    for (const p of pieces) {
      reader.feed(p);
      for (let r = reader.next(); r !== null; r = reader.next()) reqs.push(r);
    }
  } catch (e) {
    return { reqs, error: e };
  }
  return { reqs, error: null };
}

const latin1 = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1'));
const request = fc.array(latin1, { minLength: 1, maxLength: 8 });
const smallLimits = { ...DEFAULT_LIMITS, maxBulkLen: 64, maxInline: 128, maxMultibulk: 16 };

describe('RequestReader', () => {
  it('never throws anything but ProtocolError on arbitrary bytes split arbitrarily', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), (bytes, cuts, small) => {
        const reader = new RequestReader(small ? smallLimits : DEFAULT_LIMITS);
        const { error } = readAll(reader, split(Buffer.from(bytes), cuts));
        if (error !== null) {
          expect(error).toBeInstanceOf(ProtocolError);
          // Once failed, the reader keeps failing with the same error.
          expect(() => reader.next()).toThrow(ProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('also on streams that start like valid requests and then go wrong', () => {
    const prefix = fc.constantFrom('*', '*1\r\n', '*2\r\n$', '*1\r\n$3\r\nab', '$', '*-', '*99999999999999999999\r\n', '"', "'a");
    fc.assert(
      fc.property(prefix, fc.uint8Array({ maxLength: 100 }), fc.array(fc.nat(), { maxLength: 6 }), (p, bytes, cuts) => {
        const reader = new RequestReader(smallLimits);
        const { error } = readAll(reader, split(Buffer.concat([Buffer.from(p, 'latin1'), Buffer.from(bytes)]), cuts));
        if (error !== null) expect(error).toBeInstanceOf(ProtocolError);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips pipelined multibulk requests exactly, however the stream is split', () => {
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 20 }), (reqs, cuts) => {
        const wire = Buffer.from(reqs.map(command).join(''), 'latin1');
        const reader = new RequestReader();
        const { reqs: got, error } = readAll(reader, split(wire, cuts));
        expect(error).toBe(null);
        expect(got).toEqual(reqs);
        expect(reader.pending).toBe(0);
      }),
    );
  });

  it('decodes every byte value at every short length (the in-V8 decoder) and past it', () => {
    const reqs: string[][] = [];
    for (let n = 0; n <= 30; n++) {
      for (let start = 0; start < 256; start += n + 1) {
        const arg = Array.from({ length: n }, (_, i) => String.fromCharCode((start + i * 7) & 255)).join('');
        reqs.push(['SET', arg, arg + 'x', 'y' + arg]);
      }
    }
    const { reqs: got, error } = readAll(new RequestReader(), [Buffer.from(reqs.map(command).join(''), 'latin1')]);
    expect(error).toBe(null);
    expect(got).toEqual(reqs);
  });

  it('round-trips repeated and near-equal arguments at every position (the reused strings)', () => {
    const near = fc.constantFrom('GET', 'get', 'GEt', 'SET', 'GETX', 'GE', '', 'é\x00', 'HSET', 'x'.repeat(16), 'x'.repeat(17), 'x'.repeat(16) + 'y', 'x'.repeat(15) + 'y');
    const arg = fc.oneof(near, near, latin1);
    const req = fc.tuple(near, fc.array(arg, { maxLength: 6 })).map(([n, rest]) => [n, ...rest]);
    fc.assert(
      fc.property(fc.array(req, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), (reqs, cuts) => {
        const wire = Buffer.from(reqs.map(command).join(''), 'latin1');
        const { reqs: got, error } = readAll(new RequestReader(), split(wire, cuts));
        expect(error).toBe(null);
        expect(got).toEqual(reqs);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips inline requests of plain words', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9:_.-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(fc.array(word, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (reqs, cuts) => {
        const wire = Buffer.from(reqs.map((r) => `${r.join(' ')}\r\n`).join(''), 'latin1');
        const { reqs: got, error } = readAll(new RequestReader(), split(wire, cuts));
        expect(error).toBe(null);
        expect(got).toEqual(reqs);
      }),
    );
  });

  it('quoted inline arguments round-trip through escapes', () => {
    fc.assert(
      fc.property(fc.array(latin1, { minLength: 1, maxLength: 5 }), (args) => {
        const line = args.map((a) => `"${[...a].map((ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')}"`).join(' ');
        expect(splitInlineArgs(line)).toEqual(args);
      }),
    );
  });

  it('rejects what Redis rejects, with its reasons', () => {
    const reason = (s: string, limits = DEFAULT_LIMITS) => {
      const r = new RequestReader(limits);
      r.feed(Buffer.from(s, 'latin1'));
      try {
        while (r.next() !== null);
        return null;
      } catch (e) {
        return (e as ProtocolError).reason;
      }
    };
    expect(reason('*1\r\n$x\r\n')).toBe('invalid bulk length');
    expect(reason('*1\r\n$-1\r\n')).toBe('invalid bulk length');
    expect(reason('*1\r\n$536870913\r\n')).toBe('invalid bulk length');
    expect(reason('*x\r\n')).toBe('invalid multibulk length');
    expect(reason('*2147483648\r\n')).toBe('invalid multibulk length');
    expect(reason('*1\r\nfoo\r\n')).toBe("expected '$', got 'f'");
    expect(reason('"unbalanced\r\n')).toBe('unbalanced quotes in request');
    expect(reason('a'.repeat(70 * 1024))).toBe('too big inline request');
    expect(reason(`*${'1'.repeat(70 * 1024)}`)).toBe('too big mbulk count string');
    expect(reason(`*1\r\n$${'1'.repeat(70 * 1024)}`)).toBe('too big bulk count string');
    expect(reason('*0\r\n*-1\r\nPING\r\n')).toBe(null);
  });

  it('parses a whole buffer (one-pass fast path) exactly as it parses the stream byte by byte', () => {
    // Streams built from protocol tokens, valid and not: counts, lengths, CRLF or bare LF, data.
    const token = fc.oneof(
      fc.constantFrom('*', '$', '\r\n', '\n', '\r', '-', '0', '1', '2', '3', '10', '17', '99999999999', 'ab', 'x', ' '),
      fc.integer({ min: 0, max: 20 }).map((n) => `$${n}\r\n${'v'.repeat(n)}\r\n`),
      fc.array(latin1, { minLength: 1, maxLength: 4 }).map((a) => command(a)),
    );
    const outcome = (pieces: Buffer[], unauth: boolean, limits: typeof DEFAULT_LIMITS) => {
      const r = new RequestReader(limits);
      r.unauthenticated = unauth;
      const { reqs, error } = readAll(r, pieces);
      return { reqs, error: error instanceof ProtocolError ? error.reason : error };
    };
    fc.assert(
      fc.property(fc.array(token, { maxLength: 20 }), fc.boolean(), fc.boolean(), (toks, unauth, small) => {
        const wire = Buffer.from(toks.join(''), 'latin1');
        const limits = small ? smallLimits : DEFAULT_LIMITS;
        const bytes = [...wire].map((b) => Buffer.from([b]));
        expect(outcome([wire], unauth, limits)).toEqual(outcome(bytes, unauth, limits));
      }),
      { numRuns: 500 },
    );
  });
});
