// CLUSTER subcommand replies and error texts on a fresh cluster-mode node, compared byte for byte
// with redis-server 7.0 (only steps whose replies do not depend on node IDs or timing).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { rmSync } from 'node:fs';
import type { ServerProcess } from '../helpers/processes.js';
import { expectSameReplies, type Step } from '../helpers/differential.js';
import { startClusterNode } from './cluster-helpers.js';

let ours: ServerProcess;
let theirs: ServerProcess;

beforeAll(async () => {
  ours = await startClusterNode('redshard');
  theirs = await startClusterNode('redis');
});

afterAll(async () => {
  await ours?.stop('SIGKILL');
  await theirs?.stop('SIGKILL');
  for (const p of [ours, theirs]) if (p) rmSync(p.dir, { recursive: true, force: true });
});

const c = (...a: string[]): string[] => ['CLUSTER', ...a];

describe('CLUSTER commands match redis-server 7.0', () => {
  it('argument errors and slot bookkeeping', async () => {
    const steps: Step[] = [
      ['CLUSTER'],
      c('foo'),
      c('myid', 'x'),
      c('keyslot'),
      c('keyslot', 'foo'),
      c('keyslot', '{user1000}.following'),
      c('keyslot', 'foo{}{bar}'),
      c('countkeysinslot', 'x'),
      c('countkeysinslot', '99999'),
      c('countkeysinslot', '-1'),
      c('countkeysinslot', '5'),
      c('getkeysinslot', '1', '-1'),
      c('getkeysinslot', '1', 'x'),
      c('getkeysinslot', '99999', '1'),
      c('getkeysinslot', '1', '10'),
      c('addslots'),
      c('addslots', 'x'),
      c('addslots', '99999'),
      c('addslots', '5', '5'),
      c('addslotsrange', '1'),
      c('addslotsrange', '5', '1'),
      c('addslotsrange', '1', '2', '3'),
      c('addslotsrange', '1', 'x'),
      c('delslots', '5'),
      c('delslots', 'x'),
      c('addslots', '5', '6', '7'),
      c('addslots', '7'),
      c('addslotsrange', '100', '200'),
      c('delslotsrange', '150', '300'),
      c('delslotsrange', '150', '200'),
      c('delslots', '5', '6'),
      c('countkeysinslot', '7'),
      c('flushslots'),
      c('delslots', '7'),
      c('setslot', '5'),
      c('setslot', 'x', 'node'),
      c('setslot', '5', 'node', 'abc'),
      c('setslot', '5', 'migrating', 'abc'),
      c('setslot', '5', 'importing', 'abc'),
      c('setslot', '5', 'stable', 'x'),
      c('setslot', '5', 'foo'),
      c('setslot', '5', 'node'),
      c('setslot', '5', 'stable'),
      c('meet', '1.2.3.4', 'x'),
      c('meet', 'foo', '1234'),
      c('meet', '1.2.3.4', '70000'),
      c('meet', '1.2.3.4', '1234', 'x'),
      c('meet', '1.2.3.4', '1234', '0'),
      c('forget', 'abc'),
      c('count-failure-reports', 'abc'),
      c('replicas', 'abc'),
      c('slaves', 'abc'),
      c('replicate', 'abc'),
      c('reset', 'foo'),
      c('reset', 'soft', 'x'),
      c('set-config-epoch', '-1'),
      c('set-config-epoch', 'x'),
      c('set-config-epoch', '5'),
      c('set-config-epoch', '6'),
      c('bumpepoch'),
      c('links'),
      c('slots'),
      c('saveconfig'),
      c('help'),
      c('failover'),
      c('failover', 'force'),
      c('failover', 'foo'),
      c('failover', 'force', 'x'),
      ['ASKING'],
      ['READONLY'],
      ['READWRITE'],
      ['SELECT', '1'],
      ['SELECT', '0'],
      ['GET', 'foo'],
      ['MSET', 'a', '1', 'b', '2'],
    ];
    await expectSameReplies(ours, theirs, steps);
  });

  it('same replies in RESP3', async () => {
    await expectSameReplies(ours, theirs, [c('addslots', '1'), c('delslots', '1'), c('getkeysinslot', '1', '1'), c('links')], 3);
  });
});
