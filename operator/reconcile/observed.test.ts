import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSlotRanges } from '../../common/slots.js';
import { ClusterNodesParseError, parseClusterNodes, parseReplicationLink, parseReplicationOffset } from './observed.js';

const A = '75b4b3e2a1c0a9f8e7d6c5b4a3f2e1d0c9b8b290';
const B = '08d5b3e2a1c0a9f8e7d6c5b4a3f2e1d0c9b8c620';

describe('parseClusterNodes', () => {
  it('reads the 7.0 lines, hostnames and open slots', () => {
    const text =
      `${A} 127.0.0.1:31001@41001,node-a.example myself,master - 0 1795394022000 1 connected 0-5460 [5461->-${B}] [7000-<-${B}]\n` +
      `${B} 127.0.0.1:31005@41005 slave ${A} 0 1795394023894 1 connected\n` +
      `${'c'.repeat(40)} :31002@41002 master,fail - 1 2 12 disconnected 16383\n`;
    const [a, b, c] = parseClusterNodes(text);
    expect(a).toMatchObject({ id: A, host: '127.0.0.1', port: 31001, busPort: 41001, hostname: 'node-a.example', masterId: null, slots: [{ start: 0, end: 5460 }], migrating: [{ slot: 5461, to: B }], importing: [{ slot: 7000, from: B }] });
    expect(a!.flags.has('myself')).toBe(true);
    expect(b).toMatchObject({ masterId: A, slots: [] });
    expect(c).toMatchObject({ host: '', connected: false, slots: [{ start: 16383, end: 16383 }] });
  });

  it('rejects malformed lines with a typed error', () => {
    expect(() => parseClusterNodes('abc 1:2@3 master - 0 0 0 connected')).toThrow(ClusterNodesParseError);
    expect(() => parseClusterNodes(`${A} 127.0.0.1:1@2 master - 0 0 0 connected 5-3`)).toThrow(ClusterNodesParseError);
    expect(() => parseClusterNodes(`${A} 127.0.0.1:1@2 master -`)).toThrow(ClusterNodesParseError);
  });

  it('property: slot ranges round-trip through the line format', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 16383 }), { maxLength: 200 }), (slots) => {
        const set = new Set(slots);
        const ranges: { start: number; end: number }[] = [];
        for (let s = 0; s < 16384; s++) {
          if (!set.has(s)) continue;
          const last = ranges[ranges.length - 1];
          if (last && last.end === s - 1) last.end = s;
          else ranges.push({ start: s, end: s });
        }
        const line = `${A} 10.0.0.1:6379@16379 myself,master - 0 0 3 connected ${formatSlotRanges(ranges)}`.trimEnd();
        expect(parseClusterNodes(line)[0]!.slots).toEqual(ranges);
      }),
    );
  });

  it('property: never throws anything but ClusterNodesParseError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          parseClusterNodes(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ClusterNodesParseError);
        }
      }),
    );
  });
});

describe('parseReplicationLink', () => {
  it('reads master_link_status on replicas only', () => {
    expect(parseReplicationLink('# Replication\r\nrole:master\r\nconnected_slaves:1\r\n')).toBeNull();
    expect(parseReplicationLink('# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_link_status:down\r\n')).toBe(false);
    expect(parseReplicationLink('# Replication\r\nrole:slave\r\nmaster_link_status:up\r\n')).toBe(true);
  });
});

describe('parseReplicationOffset', () => {
  it('reads master_repl_offset on a master and slave_repl_offset on a replica', () => {
    expect(parseReplicationOffset('# Replication\r\nrole:master\r\nconnected_slaves:1\r\nmaster_repl_offset:1234\r\n')).toBe(1234);
    expect(parseReplicationOffset('role:slave\r\nslave_repl_offset:99\r\nmaster_repl_offset:120\r\n')).toBe(99);
    expect(parseReplicationOffset('role:master\r\n')).toBeUndefined();
  });
});
