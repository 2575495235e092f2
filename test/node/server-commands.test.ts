import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { redisCli } from '../helpers/processes.js';
import { expectSameConnReplies, type ConnStep } from '../helpers/differential-conns.js';
import { useServerPair } from '../helpers/differential.js';

const c0 = (...cmd: string[]): ConnStep => ({ c: 0, cmd });
const c1 = (...cmd: string[]): ConnStep => ({ c: 1, cmd });

function infoFields(info: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur = '';
  for (const line of info.split('\r\n')) {
    if (line.startsWith('# ')) out.set((cur = line.slice(2)), []);
    else if (line.includes(':')) out.get(cur)!.push(line.slice(0, line.indexOf(':')));
  }
  return out;
}

describe('server commands: CLIENT, INFO, COMMAND', () => {
  const { ours, redis } = useServerPair();

  it('CLIENT subcommand replies and errors match redis-server', async () => {
    const steps: ConnStep[] = [
      c0('CLIENT', 'SETNAME', 'x'),
      c0('CLIENT', 'GETNAME'),
      c0('CLIENT', 'SETNAME'),
      c0('CLIENT', 'SETNAME', 'a b'),
      c0('CLIENT', 'KILL', '1.2.3.4:5'),
      c0('CLIENT', 'KILL', 'ID', '999999'),
      c0('CLIENT', 'KILL', 'ID', 'x'),
      c0('CLIENT', 'KILL', 'FOO', 'bar'),
      c0('CLIENT', 'KILL', 'USER', 'nobody'),
      c0('CLIENT', 'KILL', 'SKIPME', 'maybe'),
      c0('CLIENT', 'LIST', 'TYPE', 'foo'),
      c0('CLIENT', 'LIST', 'ID', 'x'),
      c0('CLIENT', 'NOPE'),
      c0('CLIENT', 'NO-EVICT', 'maybe'),
      c0('CLIENT', 'REPLY', 'maybe'),
      c0('CLIENT', 'INFO'),
      c1('CLIENT', 'SETNAME', 'victim'),
      c0('CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'yes'),
      c0('CLIENT', 'LIST'),
      c0('PING'),
    ];
    // CLIENT INFO / LIST text differs in ids, ports and ages: compare their shape instead.
    const shape = /^\$\d+\r\nid=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name=x age=\d+ idle=\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=0 rbs=\d+ rbp=\d+ obl=0 oll=0 omem=0 tot-mem=\d+ events=r cmd=client\|(info|list) user=default redir=-1 resp=2\n\r\n$/;
    for (const st of steps) if ('cmd' in st && (st.cmd[1] === 'INFO' || st.cmd[1] === 'LIST') && st.cmd.length === 2) st.match = shape;
    await expectSameConnReplies(ours, redis, 2, steps);
  });

  it('CLIENT REPLY OFF/SKIP/ON', async () => {
    const steps: ConnStep[] = [c0('CLIENT', 'REPLY', 'SKIP'), c0('SET', 'a', '1'), c0('GET', 'a'), c0('CLIENT', 'REPLY', 'OFF'), c0('SET', 'a', '2'), c0('GET', 'a'), c0('CLIENT', 'REPLY', 'ON'), c0('GET', 'a')];
    const ioSteps = async (port: number) => {
      const { RawClient } = await import('../helpers/raw-client.js');
      const c = await RawClient.connect(port);
      // Suppressed replies never arrive: the next reply read belongs to the next answered command.
      await c.call('FLUSHALL');
      const r: string[] = [];
      for (const st of steps) if ('cmd' in st) void c.call(...st.cmd).then((x) => r.push(x));
      await new Promise((res) => setTimeout(res, 300));
      c.close();
      return r;
    };
    expect(await ioSteps(ours.port)).toEqual(await ioSteps(redis.port));
  });

  it('INFO has every section and field name of redis-server 7.0 that this node reports', async () => {
    const a = new Redis({ port: ours.port, host: ours.host });
    const b = new Redis({ port: redis.port, host: redis.host });
    await a.set('k', 'v', 'EX', 100);
    await a.call('NOSUCH').catch(() => {});
    await b.call('NOSUCH').catch(() => {});
    for (const arg of [[], ['all'], ['everything'], ['default'], ['server', 'clients'], ['commandstats'], ['keyspace', 'errorstats']]) {
      const mine = infoFields((await a.info(...(arg as []))) as string);
      const theirs = infoFields((await b.info(...(arg as []))) as string);
      expect([...mine.keys()], arg.join(' ')).toEqual([...theirs.keys()]);
      for (const [sec, fields] of mine) {
        // Our fields are Redis's fields (a subset where Redis reports allocator internals).
        if (sec === 'Commandstats' || sec === 'Keyspace' || sec === 'Errorstats') continue;
        const known = new Set(theirs.get(sec));
        expect(fields.filter((f) => !known.has(f)), sec).toEqual([]);
      }
    }
    const info = (await a.info('errorstats', 'stats', 'keyspace', 'commandstats')) as string;
    expect(info).toMatch(/^errorstat_ERR:count=\d+\r$/m);
    expect(info).toMatch(/^total_error_replies:\d+\r$/m);
    expect(info).toMatch(/^db0:keys=\d+,expires=1,avg_ttl=\d+\r$/m);
    expect(info).toMatch(/^cmdstat_set:calls=\d+,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=0\r$/m);
    a.disconnect();
    b.disconnect();
  });

  it('COMMAND and COMMAND INFO parse in ioredis, node-redis and redis-cli', async () => {
    const a = new Redis({ port: ours.port, host: ours.host });
    const all = (await a.call('COMMAND')) as unknown[][];
    expect(all.length).toBe(await a.call('COMMAND', 'COUNT'));
    for (const c of all) {
      expect(c.length).toBe(10);
      expect(typeof c[0]).toBe('string');
      expect(typeof c[1]).toBe('number');
      expect(Array.isArray(c[2])).toBe(true);
      expect(typeof c[3]).toBe('number');
    }
    const [get] = (await a.call('COMMAND', 'INFO', 'get')) as unknown[][];
    expect(get!.slice(0, 7)).toEqual(['get', 2, ['readonly', 'fast'], 1, 1, 1, ['@read', '@string', '@fast']]);
    a.disconnect();
    const nr = createClient({ socket: { port: ours.port, host: ours.host }, RESP: 3 });
    await nr.connect();
    const infos = await nr.commandInfo(['get', 'set', 'nosuch']);
    expect(infos[0]).toMatchObject({ name: 'get', arity: 2, firstKeyIndex: 1, lastKeyIndex: 1, step: 1 });
    expect(infos[2]).toBe(null);
    expect(await nr.commandCount()).toBeGreaterThan(50);
    await nr.quit();
    expect(redisCli(ours.port, ['COMMAND', 'GETKEYS', 'SET', 'k', 'v']).trim()).toBe('k');
    expect(redisCli(ours.port, ['COMMAND', 'COUNT']).trim()).toMatch(/^\d+$/);
  });
});
