import { describe, expect, it } from 'vitest';
import { OperatorMetrics } from './metrics.js';

describe('OperatorMetrics', () => {
  it('exports passes, actions and the per-cluster gauges of a status, and forgets a cluster', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.observePass('ns/a', 0.02, true);
    m.observePass('ns/a', 0.5, false);
    m.observeActions('ns/a', ['MigrateSlots', 'MigrateSlots']);
    m.observeStatus('ns/a', {
      phase: 'Scaling',
      slotsAssigned: 16384,
      readyMembers: '7/8',
      shards: [
        { index: 0, master: { name: 'a-0-0' }, replicas: [], slots: '0-8191', slotCount: 8192 },
        { index: 1, master: { name: 'a-1-0' }, replicas: [], slots: '8192-16383', slotCount: 8192 },
        { index: 2, replicas: [], slots: '', slotCount: 0 },
      ],
      operation: { type: 'ScaleOut', message: 'm', slotsTotal: 4096, slotsMoved: 1024, startedAt: 'x' },
    });
    let text = await m.text();
    expect(text).toContain('redshard_reconcile_total{cluster="ns/a",result="success"} 1');
    expect(text).toContain('redshard_reconcile_errors_total{cluster="ns/a"} 1');
    expect(text).toContain('redshard_reconcile_duration_seconds_count{cluster="ns/a"} 2');
    expect(text).toContain('redshard_reconcile_actions_total{cluster="ns/a",action="MigrateSlots"} 2');
    expect(text).toContain('redshard_cluster_shards_ready{cluster="ns/a"} 2');
    expect(text).toContain('redshard_cluster_members{cluster="ns/a",state="ready"} 7');
    expect(text).toContain('redshard_cluster_migration_slots_moved{cluster="ns/a"} 1024');
    expect(text).toContain('redshard_cluster_phase{cluster="ns/a",phase="Scaling"} 1');
    expect(text).toContain('redshard_cluster_phase{cluster="ns/a",phase="Ready"} 0');
    m.forget('ns/a');
    text = await m.text();
    expect(text).not.toContain('redshard_cluster_phase{cluster="ns/a"');
    expect(text).not.toContain('redshard_cluster_members{cluster="ns/a"');
  });
});
