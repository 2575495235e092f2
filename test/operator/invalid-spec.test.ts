// Local mode: a spec the schema rejects, written by hand into .redshard/cluster.json, is reported
// as Ready=False reason InvalidSpec by `redshard status` and `redshard rebalance` (non-zero exit,
// a message naming the field and the file), and nothing is started or stopped; putting the spec
// back makes `rebalance` end Ready again. One single-member cluster for the file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer } from '../helpers/processes.js';
import { NODE_COMMAND, useLocalRun } from './local-cluster.js';

type Condition = { type: string; status: string; reason: string; message: string };
type StatusOut = { spec: unknown; status: { phase: string; conditions: Condition[] } };

describe.skipIf(NODE_COMMAND === 'redis-server' && !hasRedisServer())('local mode: an invalid spec is InvalidSpec and nothing is acted on', () => {
  const run = useLocalRun('invalid', 40 + (process.pid % 20));
  let file: string;

  beforeAll(async () => {
    file = join(run.dir, '.redshard', 'cluster.json');
  });

  const editSpec = (edit: (spec: Record<string, unknown>) => void): void => {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { resource: { spec: Record<string, unknown> } };
    edit(state.resource.spec);
    writeFileSync(file, JSON.stringify(state, null, 2));
  };
  const pids = () => run.pids().map((l) => l.split(' ')[0]).sort();

  it('shards: 0 and a reserved config key -> InvalidSpec from status and rebalance; fixed -> Ready', async () => {
    const up = await run.up(NODE_COMMAND, ['--shards', '1', '--replicas', '0', '--timeout', '60']);
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
      const st = await run.cli(['status', '--json']);
      expect(st.code, `${what}: ${st.stderr}`).not.toBe(0);
      expect(st.stderr).toContain(`the cluster spec in ${file} is invalid`);
      expect(st.stderr).toMatch(detail);
      const out = JSON.parse(st.stdout) as StatusOut;
      expect(out.status.phase).toBe('Invalid');
      const ready = out.status.conditions.find((c) => c.type === 'Ready')!;
      expect(ready).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
      expect(ready.message).toMatch(detail);

      const rb = await run.cli(['rebalance', '--timeout', '30']);
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
    expect(readFileSync(join(run.dir, '.redshard', 'events.log'), 'utf8')).toMatch(/"reason":"InvalidSpec"/);

    const fixed = await run.cli(['rebalance', '--timeout', '60']);
    expect(fixed.code, fixed.stderr).toBe(0);
    const st = JSON.parse((await run.cli(['status', '--json'])).stdout) as StatusOut;
    expect(st.status.phase).toBe('Ready');
    expect(st.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect(pids()).toEqual(before);
    // --force stops the processes and removes .redshard/ without the controller (and cleanly).
    const down = await run.cli(['down', '--force']);
    expect(down.code, down.stderr).toBe(0);
    expect(pids()).toEqual([]);
    expect(existsSync(join(run.dir, '.redshard'))).toBe(false);
  }, 120_000);
});
