// What list commands write to the append-only file: blocking commands are logged as the
// non-blocking command that had the effect, including for clients served after they blocked,
// so that replaying the file rebuilds exactly the dataset the clients saw.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type ServerProcess } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started: ServerProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'lists-aof-'));

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop('SIGKILL')));
  rmSync(dir, { recursive: true, force: true });
});

async function boot(): Promise<ServerProcess> {
  const n = await startNode({ dir, args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  started.push(n);
  return n;
}

async function blocked(admin: RawClient, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (new RegExp(`blocked_clients:${n}\\r`).test(await admin.call('INFO', 'clients'))) return;
    await sleep(10);
  }
  throw new Error(`blocked_clients never reached ${n}`);
}

/** The commands of the incremental AOF file, one string each. */
function aofCommands(): string[] {
  const d = join(dir, 'appendonlydir');
  const text = readFileSync(join(d, readdirSync(d).find((f) => f.endsWith('.incr.aof'))!), 'latin1');
  const cmds: string[] = [];
  const lines = text.split('\r\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\*(\d+)$/.exec(lines[i]!);
    if (!m) continue;
    const args: string[] = [];
    for (let j = 0; j < Number(m[1]); j++) args.push(lines[i + 2 + 2 * j]!);
    i += 2 * Number(m[1]);
    cmds.push(args.join(' '));
  }
  return cmds.filter((c) => !c.startsWith('SELECT'));
}

describe('list writes in the append-only file', () => {
  it('logs blocking commands as their effect and replays to the same lists', async () => {
    const node = await boot();
    const [admin, a, b, c] = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(node.port)));
    await admin!.call('RPUSH', 'now', '1', '2', '3');
    await admin!.call('BLPOP', 'now', '0');
    await admin!.call('BLMPOP', '0', '1', 'now', 'RIGHT', 'COUNT', '5');
    const ra = a!.call('BLPOP', 'w', '0');
    await blocked(admin!, 1);
    const rb = b!.call('BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0');
    await blocked(admin!, 2);
    const rc = c!.call('BLMPOP', '0', '2', 'x', 'w2', 'LEFT', 'COUNT', '2');
    await blocked(admin!, 3);
    await admin!.call('RPUSH', 'w', 'a', 'b');
    await admin!.call('RPUSH', 'src', 's1', 's2');
    await admin!.call('RPUSH', 'w2', 'p', 'q', 'r');
    await admin!.call('BLPOP', 'nothing', '0.01');
    expect([await ra, await rb, await rc]).toEqual(['*2\r\n$1\r\nw\r\n$1\r\na\r\n', '$2\r\ns2\r\n', '*2\r\n$2\r\nw2\r\n*2\r\n$1\r\np\r\n$1\r\nq\r\n']);
    for (const cl of [admin, a, b, c]) cl!.close();

    expect(aofCommands()).toEqual([
      'RPUSH now 1 2 3',
      'LPOP now',
      'RPOP now 2',
      'RPUSH w a b',
      'LPOP w',
      'RPUSH src s1 s2',
      'LMOVE src dst RIGHT LEFT',
      'RPUSH w2 p q r',
      'LPOP w2 2',
    ]);

    await node.stop('SIGKILL');
    started.splice(started.indexOf(node), 1);
    const again = await boot();
    const r = await RawClient.connect(again.port);
    expect(await r.call('EXISTS', 'now')).toBe(':0\r\n');
    expect(await r.call('LRANGE', 'w', '0', '-1')).toBe('*1\r\n$1\r\nb\r\n');
    expect(await r.call('LRANGE', 'src', '0', '-1')).toBe('*1\r\n$2\r\ns1\r\n');
    expect(await r.call('LRANGE', 'dst', '0', '-1')).toBe('*1\r\n$2\r\ns2\r\n');
    expect(await r.call('LRANGE', 'w2', '0', '-1')).toBe('*1\r\n$1\r\nr\r\n');
    r.close();
  });
});
