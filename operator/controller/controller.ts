// The controller loop: watch -> keyed queue -> one reconcile pass per key (observe, plan, write
// status when it changed, apply the step). The same loop serves the kube and local platforms.
import type { Logger } from '../../common/log.js';
import { checkSpec } from '../reconcile/checks.js';
import type { Status } from '../api/v1alpha1.js';
import { ClusterAdmin } from '../admin/cluster-admin.js';
import type { Platform } from '../platform/platform.js';
import { planReconcile } from '../reconcile/plan.js';
import { buildStatus, sameStatus } from '../reconcile/status.js';
import { externalAccessCondition, planAnnounce } from '../reconcile/announce-plan.js';
import { applyActions } from './executor.js';
import { observeCluster } from './observe.js';
import type { OperatorMetrics } from './metrics.js';
import { WorkQueue, type HandlerResult, type WorkQueueOptions } from './work-queue.js';

export interface ControllerOptions {
  queue?: WorkQueueOptions;
  now?: () => number;
  /** Prometheus metrics to record passes, actions and per-cluster gauges into. */
  metrics?: OperatorMetrics;
  /** Called after every pass with the status it computed (the CLI uses it for progress). */
  onPass?: (key: string, status: Status) => void;
}

interface AdminEntry {
  admin: ClusterAdmin;
  password: string | null;
}

export class Controller {
  readonly queue: WorkQueue;
  private stopWatch: (() => void) | null = null;
  private readonly admins = new Map<string, AdminEntry>();
  private readonly now: () => number;

  constructor(
    private readonly platform: Platform,
    private readonly log: Logger,
    private readonly opts: ControllerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.queue = new WorkQueue(
      (key) => this.reconcile(key),
      (key, err, retryInMs) => this.log.warn({ key, err: err instanceof Error ? err.message : String(err), retryInMs }, 'reconcile failed'),
      opts.queue,
    );
  }

  async start(): Promise<void> {
    this.stopWatch = await this.platform.watch((key) => this.queue.add(key));
    for (const key of await this.platform.listKeys()) this.queue.add(key);
  }

  stop(): void {
    this.stopWatch?.();
    this.stopWatch = null;
    this.queue.stop();
    for (const e of this.admins.values()) e.admin.close();
    this.admins.clear();
  }

  private adminFor(key: string, password: string | null, timeoutMs: number): ClusterAdmin {
    const e = this.admins.get(key);
    if (e && e.password === password) return e.admin;
    e?.admin.close();
    const admin = new ClusterAdmin(this.log.child({ component: 'cluster-admin', cluster: key }), password, timeoutMs);
    this.admins.set(key, { admin, password });
    return admin;
  }

  /** One pass for one key. Exported through the queue; public for tests. */
  async reconcile(key: string): Promise<HandlerResult> {
    const started = performance.now();
    let ok = false;
    try {
      const r = await this.pass(key);
      ok = true;
      return r;
    } finally {
      this.opts.metrics?.observePass(key, (performance.now() - started) / 1000, ok);
    }
  }

  private async pass(key: string): Promise<HandlerResult> {
    const log = this.log.child({ cluster: key });
    const cluster = await this.platform.get(key);
    if (!cluster) {
      this.admins.get(key)?.admin.close();
      this.admins.delete(key);
      this.opts.metrics?.forget(key);
      return;
    }
    const sc = checkSpec(cluster.spec);
    const spec = sc.ok ? sc.spec : null;
    let password: string | null = null;
    if (spec?.auth) password = await this.platform.password(cluster, spec);
    const admin = this.adminFor(key, password, Math.max(10_000, (spec?.migration.timeoutMs ?? 0) + 5000));
    let members = await this.platform.listMembers(cluster);
    const active = spec !== null && !spec.paused && !cluster.metadata.deletionTimestamp;
    if (active && this.platform.syncExternalAccess && (await this.platform.syncExternalAccess(cluster, spec, members))) {
      members = await this.platform.listMembers(cluster);
    }
    const observed = await observeCluster(cluster, members, admin, this.now());
    const plan = planReconcile(observed);
    const status = buildStatus(observed, plan);
    const d = plan.decision;
    const external = externalAccessCondition(observed, cluster.status?.conditions, new Date(observed.now).toISOString(), cluster.metadata.generation);
    if (external) status.conditions = [...(status.conditions ?? []), external];
    const announce = active && d.phase !== 'Deleting' ? planAnnounce(observed) : [];
    log.debug({ phase: d.phase, reason: d.reason, actions: d.actions.map((a) => a.kind) }, d.message);
    if (d.phase !== 'Deleting' && !sameStatus(cluster.status, status)) {
      await this.platform.writeStatus(key, status);
      if (cluster.status?.phase !== status.phase) {
        log.info({ phase: status.phase, reason: d.reason }, d.message);
        await this.platform.event(cluster, { type: d.phase === 'Degraded' || d.phase === 'Invalid' ? 'Warning' : 'Normal', reason: d.reason, message: d.message });
      }
    }
    this.opts.onPass?.(key, status);
    this.opts.metrics?.observeStatus(key, status);
    this.opts.metrics?.observeActions(key, d.actions.map((a) => a.kind));
    try {
      await applyActions({ platform: this.platform, admin, cluster, spec: plan.spec, observed, log, key }, [...announce, ...d.actions]);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (d.phase !== 'Deleting') {
        const withError: Status = { ...status, lastError: message };
        await this.platform.writeStatus(key, withError).catch(() => undefined);
        this.opts.onPass?.(key, withError);
        await this.platform.event(cluster, { type: 'Warning', reason: 'StepFailed', message }).catch(() => undefined);
      }
      throw err;
    }
    // An address still to come (a load balancer) or still to announce is looked at again soon;
    // the Service watch usually brings the pass earlier.
    if (external && external.status !== 'True') return { requeueAfterMs: Math.min(d.requeueMs ?? 2000, 2000) };
    return { requeueAfterMs: d.requeueMs };
  }
}

/** Starts a controller on a platform; resolves to its stop function (kube mode's leader election
 * calls this when it becomes leader). */
export async function startController(platform: Platform, log: Logger, opts: ControllerOptions = {}): Promise<() => void> {
  const c = new Controller(platform, log.child({ component: 'controller' }), opts);
  await c.start();
  return () => c.stop();
}
