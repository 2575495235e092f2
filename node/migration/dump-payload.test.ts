import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc64, Crc64 } from './crc64.js';
import { lzfCompress, lzfDecompress } from './lzf.js';
import { decodeDumpPayload, decodeDumpPayloadSteps, DUMP_VALUE_SINK, encodeDumpPayload, encodeDumpPayloadSteps, sourceOf, verifyDumpPayload, type DumpValue } from './dump-payload.js';
import { decodeListpack, ListpackBuilder } from './listpack.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Payloads captured from redis-server 7.0.15 DUMP (redis-cluster-facts.md 7.5).
const VECTORS: [string, DumpValue][] = [
  ['00 03 62 61 72 0a 00 e6 be 49 60 ee 66 fd 17', { type: 'string', value: 'bar' }],
  ['00 c1 39 30 0a 00 9d 94 ea 27 93 fc 08 b9', { type: 'string', value: '12345' }],
  ['00 c3 09 28 01 61 61 e0 1b 00 01 61 61 0a 00 cf 09 2f aa ae 25 83 1d', { type: 'string', value: 'a'.repeat(40) }],
  ['12 01 02 12 12 00 00 00 04 00 81 61 02 81 62 02 81 63 02 01 01 ff 0a 00 57 de a3 d9 07 b3 97 aa', { type: 'list', items: ['a', 'b', 'c', '1'] }],
  ['0b 0e 02 00 00 00 03 00 00 00 01 00 02 00 03 00 0a 00 a5 02 5c e2 6d 6e 4d 1b', { type: 'set', members: ['1', '2', '3'] }],
  ['02 02 01 61 01 62 0a 00 fe 64 21 25 eb 03 3d 0d', { type: 'set', members: ['a', 'b'] }],
  ['11 14 14 00 00 00 04 00 81 61 02 01 01 81 62 02 83 32 2e 35 04 ff 0a 00 d4 4c 6e a4 f6 44 d9 d7', { type: 'zset', entries: [['a', 1], ['b', 2.5]] }],
  ['10 15 15 00 00 00 04 00 82 66 31 03 82 76 31 03 82 66 32 03 02 01 ff 0a 00 5c 5e a8 13 fe ec 1f f5', { type: 'hash', entries: [['f1', 'v1'], ['f2', '2']] }],
];

describe('crc64', () => {
  it('matches the Jones test vector', () => {
    expect(crc64(Buffer.from('123456789'))).toBe(0xe9c6d914c4b8d9can);
  });
  it('is the same fed in pieces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (data, cut) => {
        const c = Math.min(cut, data.length);
        expect(new Crc64().update(data, 0, c).update(data, c).toBigInt()).toBe(crc64(data));
      }),
    );
  });
});

describe('lzf', () => {
  it('round-trips arbitrary and repetitive data', () => {
    const repetitive = fc.array(fc.constantFrom(...'abcab\x00\xff'), { maxLength: 3000 }).map((a) => Uint8Array.from(Buffer.from(a.join(''), 'latin1')));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 2000 }), repetitive), (data) => {
        if (data.length === 0) return;
        const c = lzfCompress(data, data.length + 64);
        expect(c).not.toBeNull();
        expect(Buffer.from(lzfDecompress(c!, data.length)!)).toEqual(Buffer.from(data));
      }),
    );
  });
  it('rejects garbage without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(1000), (data, n) => {
        const out = lzfDecompress(data, n);
        if (out !== null) expect(out.length).toBe(n);
      }),
    );
  });
});

describe('listpack', () => {
  it('round-trips strings and integers in every width', () => {
    const item = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 5000 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.integer({ min: -5000, max: 5000 }).map(String));
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), (items) => {
        const b = new ListpackBuilder();
        let size = 7;
        for (const it of items) {
          b.add(it);
          size += ListpackBuilder.entrySize(it);
        }
        const lp = b.finish();
        expect(lp.length).toBe(size);
        expect(decodeListpack(lp)).toEqual(items);
      }),
      { numRuns: 200 },
    );
  });
});

describe('DUMP payload codec', () => {
  it('decodes payloads captured from redis-server 7.0', () => {
    for (const [h, v] of VECTORS) expect(decodeDumpPayload(hex(h))).toEqual({ ok: true, value: v });
  });

  it('encodes small values byte-for-byte as redis-server 7.0', () => {
    for (const [h, v] of VECTORS) {
      if (v.type === 'set' || v.type === 'zset') continue; // member order is the server's choice
      expect(encodeDumpPayload(sourceOf(v)).toString('hex')).toBe(hex(h).toString('hex'));
    }
    expect(encodeDumpPayload(sourceOf({ type: 'set', members: ['3', '1', '2'] })).toString('hex')).toBe(hex(VECTORS[4]![0]).toString('hex'));
    expect(encodeDumpPayload(sourceOf({ type: 'zset', entries: [['b', 2.5], ['a', 1]] })).toString('hex')).toBe(hex(VECTORS[6]![0]).toString('hex'));
  });

  const str = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 80 }), fc.integer().map(String), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.constant('x'.repeat(100)));
  const score = fc.oneof(fc.double({ noNaN: true }), fc.integer().map((i) => i / 4));
  const value: fc.Arbitrary<DumpValue> = fc.oneof(
    str.map((value) => ({ type: 'string' as const, value })),
    fc.array(str, { minLength: 1, maxLength: 700 }).map((items) => ({ type: 'list' as const, items })),
    fc.uniqueArray(str, { minLength: 1, maxLength: 600 }).map((members) => ({ type: 'set' as const, members })),
    fc.uniqueArray(fc.integer().map(String), { minLength: 1, maxLength: 600 }).map((members) => ({ type: 'set' as const, members })),
    fc.uniqueArray(fc.tuple(str, score), { minLength: 1, maxLength: 200, selector: (e) => e[0] }).map((entries) => ({ type: 'zset' as const, entries })),
    fc.uniqueArray(fc.tuple(str, str), { minLength: 1, maxLength: 600, selector: (e) => e[0] }).map((entries) => ({ type: 'hash' as const, entries })),
  );

  const normal = (v: DumpValue): unknown => {
    switch (v.type) {
      case 'set':
        return { type: 'set', members: [...v.members].sort() };
      case 'zset':
        return { type: 'zset', entries: [...v.entries].map(([m, s]) => [m, Object.is(s, -0) ? 0 : s]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)) };
      default:
        return v;
    }
  };

  it('round-trips every type through encode and decode', () => {
    fc.assert(
      fc.property(value, (v) => {
        const p = encodeDumpPayload(sourceOf(v));
        expect(verifyDumpPayload(p)).toBe(true);
        const d = decodeDumpPayload(p);
        expect(d.ok).toBe(true);
        if (d.ok) expect(normal(d.value)).toEqual(normal(v));
      }),
      { numRuns: 150 },
    );
  });

  it('reports corrupted payloads without throwing, and never accepts a changed CRC-valid body silently', () => {
    fc.assert(
      fc.property(value, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (v, flips) => {
        const p = Buffer.from(encodeDumpPayload(sourceOf(v)));
        for (const [at, x] of flips) p[at % p.length]! ^= x;
        const d = decodeDumpPayload(p);
        if (!d.ok) expect(['checksum', 'format']).toContain(d.error);
      }),
      { numRuns: 300 },
    );
  });

  it('checks structure behind a valid CRC: arbitrary bodies never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (body) => {
        const p = withFooter(Buffer.from(body));
        const d = decodeDumpPayload(p);
        if (d.ok) expect(['string', 'list', 'set', 'zset', 'hash']).toContain(d.value.type);
      }),
      { numRuns: 2000 },
    );
    // Type byte plus a tail that is mostly well-formed.
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14, 16, 17, 18), fc.uint8Array({ maxLength: 80 }), (t, rest) => {
        decodeDumpPayload(withFooter(Buffer.concat([Buffer.from([t]), Buffer.from(rest)])));
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects bad version, bad CRC, short payloads, trailing bytes and empty collections', () => {
    const good = hex(VECTORS[0]![0]);
    expect(decodeDumpPayload(good.subarray(0, 9))).toEqual({ ok: false, error: 'checksum' });
    const v11 = withFooter(good.subarray(0, good.length - 10), 11);
    expect(decodeDumpPayload(v11)).toEqual({ ok: false, error: 'checksum' });
    const crc = Buffer.from(good);
    crc[crc.length - 1]! ^= 1;
    expect(decodeDumpPayload(crc)).toEqual({ ok: false, error: 'checksum' });
    expect(decodeDumpPayload(withFooter(Buffer.from('\x00\x03barX', 'latin1')))).toEqual({ ok: false, error: 'format' });
    expect(decodeDumpPayload(withFooter(Buffer.from('\x00\x04bar', 'latin1')))).toEqual({ ok: false, error: 'format' });
    for (const t of [1, 2, 3, 4, 5, 14, 18]) expect(decodeDumpPayload(withFooter(Buffer.from([t, 0])))).toEqual({ ok: false, error: 'format' });
    const emptyLp = new ListpackBuilder().finish();
    for (const t of [16, 17]) expect(decodeDumpPayload(withFooter(Buffer.concat([Buffer.from([t, emptyLp.length]), emptyLp])))).toEqual({ ok: false, error: 'format' });
    expect(decodeDumpPayload(withFooter(Buffer.from([20, 0])))).toEqual({ ok: false, error: 'format' });
    // Older payloads (version 9 and below) are accepted.
    expect(decodeDumpPayload(withFooter(Buffer.from('\x00\x03bar', 'latin1'), 9))).toEqual({ ok: true, value: { type: 'string', value: 'bar' } });
  });

  it('rejects duplicate hash fields, set members and zset members, and NaN scores', () => {
    const h = withFooter(Buffer.from('\x04\x02\x01f\x01a\x01f\x01b', 'latin1'));
    expect(decodeDumpPayload(h)).toEqual({ ok: false, error: 'format' });
    expect(decodeDumpPayload(withFooter(Buffer.from('\x02\x02\x01a\x01a', 'latin1')))).toEqual({ ok: false, error: 'format' });
    const nan = Buffer.alloc(8);
    nan.writeDoubleLE(NaN);
    expect(decodeDumpPayload(withFooter(Buffer.concat([Buffer.from('\x05\x01\x01a', 'latin1'), nan])))).toEqual({ ok: false, error: 'format' });
  });

  it('decodes legacy encodings: plain list, old zset, ziplist list/hash/zset, quicklist of ziplists, zipmap', () => {
    const ok = (body: string, value: DumpValue) => expect(decodeDumpPayload(withFooter(Buffer.from(body, 'latin1')))).toEqual({ ok: true, value });
    ok('\x01\x02\x01a\xc0\x07', { type: 'list', items: ['a', '7'] });
    ok('\x03\x01\x01a\x031.5', { type: 'zset', entries: [['a', 1.5]] });
    ok('\x03\x01\x01a\xfe', { type: 'zset', entries: [['a', Infinity]] });
    // ziplist: zlbytes, zltail, zllen, entries [prevlen, enc, data], 0xff
    const zl = ziplist(['\x00\x01a', '\x03\xf3', '\x02\xfe\x80']); // "a", imm 2, int8 -128
    ok(`\x0a${String.fromCharCode(zl.length)}${zl}`, { type: 'list', items: ['a', '2', '-128'] });
    ok(`\x0e\x01${String.fromCharCode(zl.length)}${zl}`, { type: 'list', items: ['a', '2', '-128'] });
    const zh = ziplist(['\x00\x01f', '\x03\x01v']);
    ok(`\x0d${String.fromCharCode(zh.length)}${zh}`, { type: 'hash', entries: [['f', 'v']] });
    const zz = ziplist(['\x00\x01m', '\x03\x033.5']);
    ok(`\x0c${String.fromCharCode(zz.length)}${zz}`, { type: 'zset', entries: [['m', 3.5]] });
    const zm = '\x01\x01f\x02\x00vv\xff';
    ok(`\x09${String.fromCharCode(zm.length)}${zm}`, { type: 'hash', entries: [['f', 'vv']] });
  });

  it('splits big lists into 8 KB listpack nodes and big collections into plain encodings', () => {
    const items = Array.from({ length: 1500 }, (_, i) => `element-${i}`);
    const p = encodeDumpPayload(sourceOf({ type: 'list', items }));
    expect(p[0]).toBe(18);
    expect(p[1]).toBeGreaterThan(1); // node count
    expect(decodeDumpPayload(p)).toEqual({ ok: true, value: { type: 'list', items } });
    const entries = Array.from({ length: 600 }, (_, i): [string, string] => [`f${i}`, `v${i}`]);
    expect(encodeDumpPayload(sourceOf({ type: 'hash', entries }))[0]).toBe(4);
    expect(encodeDumpPayload(sourceOf({ type: 'hash', entries: [['f', 'x'.repeat(65)]] }))[0]).toBe(4);
    expect(encodeDumpPayload(sourceOf({ type: 'set', members: Array.from({ length: 513 }, (_, i) => String(i)) }))[0]).toBe(2);
    expect(encodeDumpPayload(sourceOf({ type: 'zset', entries: Array.from({ length: 129 }, (_, i): [string, number] => [`m${i}`, i]) }))[0]).toBe(5);
  });
});

function withFooter(body: Buffer, version = 10): Buffer {
  const out = Buffer.alloc(body.length + 10);
  body.copy(out);
  out.writeUInt16LE(version, body.length);
  new Crc64().update(out, 0, body.length + 2).writeLE(out, body.length + 2);
  return out;
}

/** A ziplist from entries given as [prevlen byte][encoding+data] (prevlen must be right). */
function ziplist(entries: string[]): string {
  let body = '';
  let lastOff = 10;
  for (const e of entries) {
    lastOff = 10 + body.length;
    body += e;
  }
  const total = 10 + body.length + 1;
  const b = Buffer.alloc(10);
  b.writeUInt32LE(total, 0);
  b.writeUInt32LE(lastOff, 4);
  b.writeUInt16LE(entries.length, 8);
  return b.toString('latin1') + body + '\xff';
}

describe('sliced encoding and decoding', () => {
  it('yields between slices and produces the same bytes as the one-go codec, for every type', () => {
    const n = 5000;
    const values: DumpValue[] = [
      { type: 'hash', entries: Array.from({ length: n }, (_, i): [string, string] => [`f${i}`, `value-${i}`]) },
      { type: 'set', members: Array.from({ length: n }, (_, i) => `m${i}`) },
      { type: 'zset', entries: Array.from({ length: n }, (_, i): [string, number] => [`m${i}`, i / 3]) },
      { type: 'list', items: Array.from({ length: n }, (_, i) => `item-${i}-${'x'.repeat(i % 50)}`) },
    ];
    for (const v of values) {
      const g = encodeDumpPayloadSteps(sourceOf(v));
      let yields = 0;
      let r = g.next();
      for (; !r.done; r = g.next()) yields++;
      expect(yields, v.type).toBeGreaterThan(0);
      expect(r.value.equals(encodeDumpPayload(sourceOf(v)))).toBe(true);
      expect(verifyDumpPayload(r.value)).toBe(true);
      const d = decodeDumpPayloadSteps(r.value, DUMP_VALUE_SINK);
      let dy = 0;
      let dr = d.next();
      for (; !dr.done; dr = d.next()) dy++;
      expect(dy, v.type).toBeGreaterThan(0);
      expect(dr.value.ok).toBe(true);
    }
  });

  it('checks the CRC of a multi-megabyte payload in slices, and still rejects a bad one', () => {
    const big = encodeDumpPayload({ type: 'string', value: 'q'.repeat(3 << 20) });
    expect(decodeDumpPayload(big)).toEqual({ ok: true, value: { type: 'string', value: 'q'.repeat(3 << 20) } });
    big[1 << 21]! ^= 1;
    expect(decodeDumpPayload(big)).toEqual({ ok: false, error: 'checksum' });
  });
});
