import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startNode, type ServerProcess } from '../helpers/processes.js';

const started: ServerProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop('SIGKILL')));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function boot(dir: string, extra: string[] = []): Promise<ServerProcess> {
  const n = await startNode({ dir, args: ['--appendonly', 'yes', ...extra] });
  started.push(n);
  return n;
}

function incrFile(dir: string): string {
  const d = join(dir, 'appendonlydir');
  return join(d, readdirSync(d).find((f) => f.endsWith('.incr.aof'))!);
}

describe('append-only file', () => {
  for (const mode of ['always', 'everysec', 'no']) {
    it(`keeps every acknowledged write across SIGKILL (appendfsync ${mode})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'aof-'));
      dirs.push(dir);
      const a = await boot(dir, ['--appendfsync', mode]);
      const c = new Redis({ port: a.port, host: a.host });
      for (let i = 0; i < 500; i++) await c.set(`k${i}`, `v${i}`);
      await c.incrbyfloat('f', 1.5);
      await c.set('ttl', 'x', 'EX', 1000);
      await c.set('gone', 'x');
      await c.pexpire('gone', 1);
      await c.select(3);
      await c.set('in3', 'yes');
      c.disconnect();
      await a.stop('SIGKILL');
      started.splice(started.indexOf(a), 1);

      const b = await boot(dir, ['--appendfsync', mode]);
      const d = new Redis({ port: b.port, host: b.host });
      expect(await d.get('k0')).toBe('v0');
      expect(await d.get('k499')).toBe('v499');
      expect(await d.dbsize()).toBe(502);
      expect(await d.get('f')).toBe('1.5');
      const ttl = await d.ttl('ttl');
      expect(ttl).toBeGreaterThan(990);
      expect(await d.exists('gone')).toBe(0);
      await d.select(3);
      expect(await d.get('in3')).toBe('yes');
      d.disconnect();
    });
  }

  it('loads the valid prefix of a torn last record when aof-load-truncated is yes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aof-'));
    dirs.push(dir);
    const a = await boot(dir);
    const c = new Redis({ port: a.port, host: a.host });
    await c.set('a', '1');
    await c.set('b', '2');
    c.disconnect();
    await a.stop('SIGKILL');
    started.splice(started.indexOf(a), 1);
    const file = incrFile(dir);
    const good = statSync(file).size;
    appendFileSync(file, '*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nhal');

    const refused = await startNode({ dir, args: ['--appendonly', 'yes', '--aof-load-truncated', 'no'] }).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(String(refused)).toMatch(/Unexpected end of file/);

    const b = await boot(dir);
    const d = new Redis({ port: b.port, host: b.host });
    expect(await d.mget('a', 'b', 'c')).toEqual(['1', '2', null]);
    expect(statSync(file).size).toBe(good);
    d.disconnect();
  });

  it('refuses a file with garbage in the middle, naming the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aof-'));
    dirs.push(dir);
    const a = await boot(dir);
    const c = new Redis({ port: a.port, host: a.host });
    await c.set('a', '1');
    c.disconnect();
    await a.stop('SIGKILL');
    started.splice(started.indexOf(a), 1);
    const file = incrFile(dir);
    writeFileSync(file, readFileSync(file, 'latin1') + '*2\r\n$x\r\n*1\r\n$4\r\nPING\r\n', 'latin1');
    const err = await startNode({ dir, args: ['--appendonly', 'yes'] }).catch((e: Error) => e);
    expect(String(err)).toMatch(/Bad file format reading the append only file/);
  });
});

describe('append-only file and transactions', () => {
  it('writes a transaction as one MULTI/EXEC block and replays it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aof-'));
    dirs.push(dir);
    const a = await boot(dir);
    const c = new Redis({ port: a.port, host: a.host });
    const res = await c.multi().set('t1', 'a').incr('t2').get('t1').exec();
    expect(res!.map((r) => r[1])).toEqual(['OK', 1, 'a']);
    c.disconnect();
    await a.stop('SIGKILL');
    started.splice(started.indexOf(a), 1);
    const text = readFileSync(incrFile(dir), 'latin1');
    expect(text).toContain('*1\r\n$5\r\nMULTI\r\n');
    expect(text.endsWith('*1\r\n$4\r\nEXEC\r\n')).toBe(true);
    expect(text.match(/EXEC/g)!.length).toBe(1);
    const b = await boot(dir);
    const d = new Redis({ port: b.port, host: b.host });
    expect(await d.mget('t1', 't2')).toEqual(['a', '1']);
    d.disconnect();
  });
});
