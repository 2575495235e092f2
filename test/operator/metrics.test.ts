// Prometheus metrics of the operator, scraped from the health server's /metrics while
// `redshard-operator local` runs a local cluster (redis-server nodes by default, 3 shards, no
// replicas): prom-client's default process metrics, reconcile counts and durations, and the
// per-cluster gauges, including migration progress while the cluster scales 3 -> 4.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, hasRedisServer } from '../helpers/processes.js';
import { freePort } from '../helpers/ports.js';
import { readState, writeState } from '../../operator/platform/local/state.js';
import { NODE_COMMAND, useLocalRun } from './local-cluster.js';

/** Value of one sample line (exact name and labels), or null when absent. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

describe.skipIf(!hasRedisServer())('operator /metrics (local mode)', () => {
  const run = useLocalRun('metrics', 160 + (process.pid % 80));
  let metricsPort: number;
  let operator: ChildProcess | null = null;

  beforeAll(async () => {
    metricsPort = await freePort();
  });

  // Before the run's own cleanup (`down`): hooks after the tests run in reverse order.
  afterAll(async () => {
    if (operator && operator.exitCode === null) {
      operator.kill('SIGTERM');
      await new Promise((r) => operator!.once('exit', r));
    }
  });

  async function scrape(): Promise<string> {
    const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(r.status).toBe(200);
    return r.text();
  }

  it('serves process, reconcile and per-cluster metrics, and migration progress while scaling', async () => {
    const up = await run.up(NODE_COMMAND, ['--shards', '3', '--replicas', '0', '--timeout', '90']);
    expect(up.code, up.stderr).toBe(0);
    operator = spawn(process.execPath, [join(ROOT, 'bin', 'redshard-operator.js'), 'local', '--dir', run.dir, '--metrics-port', String(metricsPort)], { stdio: 'ignore' });
    const c = 'cluster="default/local"';
    let text = '';
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      text = await scrape().catch(() => '');
      if (sample(text, `redshard_cluster_phase{${c},phase="Ready"}`) === 1) break;
    }
    expect(sample(text, `redshard_cluster_phase{${c},phase="Ready"}`), text).toBe(1);
    expect(sample(text, `redshard_cluster_phase{${c},phase="Scaling"}`)).toBe(0);
    expect(sample(text, `redshard_cluster_slots_assigned{${c}}`)).toBe(16384);
    expect(sample(text, `redshard_cluster_shards_ready{${c}}`)).toBe(3);
    expect(sample(text, `redshard_cluster_members{${c},state="ready"}`)).toBe(3);
    expect(sample(text, `redshard_reconcile_total{${c},result="success"}`)).toBeGreaterThan(0);
    expect(sample(text, `redshard_reconcile_duration_seconds_count{${c}}`)).toBeGreaterThan(0);
    expect(text).toContain('# TYPE redshard_reconcile_errors_total counter');
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(sample(text, 'redshard_operator_ready')).toBe(1);

    // Scale out through the resource, as kubectl would; sample the migration gauges meanwhile.
    const state = readState(run.dir)!;
    (state.resource.spec as { shards: number }).shards = 4;
    state.resource.metadata.generation = (state.resource.metadata.generation ?? 1) + 1;
    writeState(run.dir, state);
    let sawProgress = false;
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      text = await scrape();
      const total = sample(text, `redshard_cluster_migration_slots_total{${c}}`) ?? 0;
      const moved = sample(text, `redshard_cluster_migration_slots_moved{${c}}`) ?? 0;
      if (total === 4096 && moved > 0 && moved < total) sawProgress = true;
      if (sample(text, `redshard_cluster_shards_ready{${c}}`) === 4 && sample(text, `redshard_cluster_phase{${c},phase="Ready"}`) === 1) break;
    }
    expect(sample(text, `redshard_cluster_shards_ready{${c}}`)).toBe(4);
    expect(sample(text, `redshard_cluster_phase{${c},phase="Ready"}`)).toBe(1);
    expect(sample(text, `redshard_reconcile_actions_total{${c},action="MigrateSlots"}`)).toBeGreaterThan(0);
    expect(sawProgress).toBe(true);
  }, 150_000);
});
