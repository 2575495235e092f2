// Prometheus metrics of the controller (prom-client): reconcile passes (count, duration, errors),
// actions taken, and per-cluster gauges read from the status each pass computes. One registry per
// OperatorMetrics, so tests and several controllers in one process never share series.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PHASES, type Status } from '../api/v1alpha1.js';

export class OperatorMetrics {
  readonly registry = new Registry();
  private readonly reconciles: Counter<'cluster' | 'result'>;
  private readonly errors: Counter<'cluster'>;
  private readonly duration: Histogram<'cluster'>;
  private readonly actions: Counter<'cluster' | 'action'>;
  private readonly slotsAssigned: Gauge<'cluster'>;
  private readonly shards: Gauge<'cluster'>;
  private readonly shardsReady: Gauge<'cluster'>;
  private readonly members: Gauge<'cluster' | 'state'>;
  private readonly migrationMoved: Gauge<'cluster'>;
  private readonly migrationTotal: Gauge<'cluster'>;
  private readonly phase: Gauge<'cluster' | 'phase'>;

  constructor(opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.reconciles = new Counter({ name: 'redshard_reconcile_total', help: 'Reconcile passes by outcome (success or error).', labelNames: ['cluster', 'result'], registers });
    this.errors = new Counter({ name: 'redshard_reconcile_errors_total', help: 'Reconcile passes that failed (the queue retries them with backoff).', labelNames: ['cluster'], registers });
    this.duration = new Histogram({
      name: 'redshard_reconcile_duration_seconds',
      help: 'Duration of one reconcile pass (observe, plan, status, step).',
      labelNames: ['cluster'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.actions = new Counter({ name: 'redshard_reconcile_actions_total', help: 'Actions carried out, by kind.', labelNames: ['cluster', 'action'], registers });
    this.slotsAssigned = new Gauge({ name: 'redshard_cluster_slots_assigned', help: 'Hash slots served by a member (16384 when complete).', labelNames: ['cluster'], registers });
    this.shards = new Gauge({ name: 'redshard_cluster_shards', help: 'Shards (masters) the nodes report.', labelNames: ['cluster'], registers });
    this.shardsReady = new Gauge({ name: 'redshard_cluster_shards_ready', help: 'Shards with a master serving slots.', labelNames: ['cluster'], registers });
    this.members = new Gauge({ name: 'redshard_cluster_members', help: 'Members by state (ready, total).', labelNames: ['cluster', 'state'], registers });
    this.migrationMoved = new Gauge({ name: 'redshard_cluster_migration_slots_moved', help: 'Slots moved so far by the current scale operation (0 when none).', labelNames: ['cluster'], registers });
    this.migrationTotal = new Gauge({ name: 'redshard_cluster_migration_slots_total', help: 'Slots the current scale operation moves in all (0 when none).', labelNames: ['cluster'], registers });
    this.phase = new Gauge({ name: 'redshard_cluster_phase', help: '1 for the current phase of the cluster, 0 for the others.', labelNames: ['cluster', 'phase'], registers });
  }

  observePass(cluster: string, seconds: number, ok: boolean): void {
    this.reconciles.inc({ cluster, result: ok ? 'success' : 'error' });
    if (!ok) this.errors.inc({ cluster });
    this.duration.observe({ cluster }, seconds);
  }

  observeActions(cluster: string, kinds: readonly string[]): void {
    for (const action of kinds) this.actions.inc({ cluster, action });
  }

  observeStatus(cluster: string, s: Status): void {
    this.slotsAssigned.set({ cluster }, s.slotsAssigned ?? 0);
    const shards = s.shards ?? [];
    this.shards.set({ cluster }, shards.length);
    this.shardsReady.set({ cluster }, shards.filter((x) => x.master && x.slotCount > 0).length);
    const [ready, total] = (s.readyMembers ?? '0/0').split('/').map(Number) as [number, number];
    this.members.set({ cluster, state: 'ready' }, ready);
    this.members.set({ cluster, state: 'total' }, total);
    this.migrationMoved.set({ cluster }, s.operation?.slotsMoved ?? 0);
    this.migrationTotal.set({ cluster }, s.operation?.slotsTotal ?? 0);
    for (const p of PHASES) this.phase.set({ cluster, phase: p }, s.phase === p ? 1 : 0);
  }

  /** Drops every series of a cluster that is gone. */
  forget(cluster: string): void {
    for (const m of [this.slotsAssigned, this.shards, this.shardsReady, this.migrationMoved, this.migrationTotal]) m.remove({ cluster });
    for (const state of ['ready', 'total']) this.members.remove({ cluster, state });
    for (const phase of PHASES) this.phase.remove({ cluster, phase });
  }

  /** Prometheus text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
