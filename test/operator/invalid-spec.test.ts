// Local mode: a spec the schema rejects, written by hand into .redshard/cluster.json, is reported
// as Ready=False reason InvalidSpec by `redshard status` and `redshard rebalance` (non-zero exit,
// a message naming the field and the file), and nothing is started or stopped; putting the spec
// back makes `rebalance` end Ready again. One single-member cluster for the file.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { hasRedisServer } from '../helpers/processes.js';
import { NODE_COMMAND, cli, pidsOf } from './local-cluster.js';

type Condition = { type: string; status: string; reason: string; message: string };
type StatusOut = { spec: unknown; status: { phase: string; conditions: Condition[] } };

describe.skipIf(NODE_COMMAND === 'redis-server' && !hasRedisServer())('local mode: an invalid spec is InvalidSpec and nothing is acted on', () => {
  let dir: string;
  let port: number;
  let hostBase: number;
  let file: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redshard-invalid-'));
    file = join(dir, '.redshard', 'cluster.json');
    port = await freePort();
    hostBase = 40 + (process.pid % 20);
  });

  afterAll(async () => {
    if (existsSync(join(dir, '.redshard'))) await cli(dir, ['down', '--force']);
    rmSync(dir, { recursive: true, force: true });
  });

  const editSpec = (edit: (spec: Record<string, unknown>) => void): void => {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { resource: { spec: Record<string, unknown> } };
    edit(state.resource.spec);
    writeFileSync(file, JSON.stringify(state, null, 2));
  };
  const pids = () => pidsOf(port, hostBase).map((l) => l.split(' ')[0]).sort();

  it('shards: 0 and a reserved config key -> InvalidSpec from status and rebalance; fixed -> Ready', async () => {
    const up = await cli(dir, ['up', '--node-command', NODE_COMMAND, '--shards', '1', '--replicas', '0', '--port', String(port), '--host-base', String(hostBase), '--timeout', '60']);
    expect(up.code, up.stderr).toBe(0);
    const before = pids();
    expect(before).toHaveLength(1);
    const original = (JSON.parse(readFileSync(file, 'utf8')) as { resource: { spec: unknown } }).resource.spec;

    const cases: [string, (s: Record<string, unknown>) => void, RegExp][] = [
      ['shards 0', (s) => (s.shards = 0), /spec\.shards: /],
      ['reserved config key', (s) => (s.config = { ...(s.config as object), port: '7000' }), /spec\.config\.port: is set by the operator/],
    ];
    for (const [what, edit, detail] of cases) {
      editSpec(edit);
      const st = await cli(dir, ['status', '--json']);
      expect(st.code, `${what}: ${st.stderr}`).not.toBe(0);
      expect(st.stderr).toContain(`the cluster spec in ${file} is invalid`);
      expect(st.stderr).toMatch(detail);
      const out = JSON.parse(st.stdout) as StatusOut;
      expect(out.status.phase).toBe('Invalid');
      const ready = out.status.conditions.find((c) => c.type === 'Ready')!;
      expect(ready).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
      expect(ready.message).toMatch(detail);

      const rb = await cli(dir, ['rebalance', '--timeout', '30']);
      expect(rb.code, `${what}: ${rb.stdout}`).not.toBe(0);
      expect(rb.stderr).toContain('Ready=False, reason InvalidSpec');
      expect(rb.stderr).toMatch(detail);
      expect(rb.stderr).toContain('nothing was started or stopped');
      expect(pids(), what).toEqual(before);
      editSpec((s) => {
        for (const k of Object.keys(s)) delete s[k];
        Object.assign(s, original);
      });
    }
    expect(readFileSync(join(dir, '.redshard', 'events.log'), 'utf8')).toMatch(/"reason":"InvalidSpec"/);

    const fixed = await cli(dir, ['rebalance', '--timeout', '60']);
    expect(fixed.code, fixed.stderr).toBe(0);
    const st = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as StatusOut;
    expect(st.status.phase).toBe('Ready');
    expect(st.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect(pids()).toEqual(before);
    // --force stops the processes and removes .redshard/ without the controller (and cleanly).
    const down = await cli(dir, ['down', '--force']);
    expect(down.code, down.stderr).toBe(0);
    expect(pids()).toEqual([]);
    expect(existsSync(join(dir, '.redshard'))).toBe(false);
  }, 120_000);
});
