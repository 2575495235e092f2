// Lease-based leader election (coordination.k8s.io/v1), so two operator replicas never both act.
// The decision is a pure function of the Lease as read; writes carry the resourceVersion read, so
// two candidates racing for an expired Lease cannot both win. A leader that cannot renew within its
// deadline stops leading (the caller exits, as client-go's leader election advises).
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { errorText } from './list-watch.js';

export interface LeaseView {
  holder?: string;
  renewTime?: Date;
  durationSeconds?: number;
}

export type LeaseDecision = 'create' | 'renew' | 'acquire' | 'wait';

/** What a candidate should do with the Lease it just read (null when none exists). */
export function decideLease(lease: LeaseView | null, identity: string, now: Date): LeaseDecision {
  if (!lease) return 'create';
  if (lease.holder === identity) return 'renew';
  if (!lease.holder || !lease.renewTime) return 'acquire';
  const expiresAt = lease.renewTime.getTime() + (lease.durationSeconds ?? 15) * 1000;
  return now.getTime() > expiresAt ? 'acquire' : 'wait';
}

export interface LeaderElectionOptions {
  kc: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log?: Logger;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private leading = false;
  private lastRenew = 0;
  private stopped = false;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.api = opts.kc.makeApiClient(CoordinationV1Api);
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    void this.runTick();
  }

  /** Stops campaigning; a leader hands the Lease back so a successor need not wait for expiry. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // A renewal still in flight would otherwise race the release (409) and keep the Lease held.
    await this.inflight;
    if (!this.leading) return;
    this.leading = false;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const lease = await this.api.readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace });
        if (lease.spec?.holderIdentity === this.opts.identity) {
          lease.spec.holderIdentity = undefined;
          lease.spec.leaseDurationSeconds = 1;
          await this.api.replaceNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace, body: lease });
        }
        break;
      } catch (err) {
        if ((err as { code?: number }).code === 409) continue;
        this.opts.log?.warn({ err: errorText(err) }, 'releasing the leader lease failed');
        break;
      }
    }
    this.opts.onStoppedLeading();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runTick(), this.opts.retryPeriodMs ?? 2_000);
  }

  private runTick(): Promise<void> {
    this.inflight = this.tick().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const duration = this.opts.leaseDurationSeconds ?? 15;
    try {
      const ok = await this.tryAcquireOrRenew(duration);
      if (this.stopped) return;
      if (ok) {
        this.lastRenew = Date.now();
        if (!this.leading) {
          this.leading = true;
          this.opts.log?.info({ lease: this.opts.name, identity: this.opts.identity }, 'became leader');
          this.opts.onStartedLeading();
        }
      }
    } catch (err) {
      this.opts.log?.warn({ err: errorText(err) }, 'leader lease update failed');
    }
    if (this.leading && Date.now() - this.lastRenew > (this.opts.renewDeadlineMs ?? 10_000)) {
      this.leading = false;
      this.opts.log?.error({ lease: this.opts.name }, 'lost the leader lease');
      this.opts.onStoppedLeading();
    }
    this.schedule();
  }

  private async tryAcquireOrRenew(duration: number): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    let lease: V1Lease | null = null;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
    const view: LeaseView | null = lease
      ? { holder: lease.spec?.holderIdentity ?? undefined, renewTime: lease.spec?.renewTime ? new Date(lease.spec.renewTime) : undefined, durationSeconds: lease.spec?.leaseDurationSeconds }
      : null;
    const decision = decideLease(view, identity, new Date());
    if (decision === 'wait') return false;
    const now = new V1MicroTime();
    if (decision === 'create') {
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds: duration, acquireTime: now, renewTime: now, leaseTransitions: 0 } },
        });
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 409) return false;
        throw err;
      }
    }
    const spec = { ...lease!.spec, holderIdentity: identity, leaseDurationSeconds: duration, renewTime: now };
    if (decision === 'acquire') {
      spec.acquireTime = now;
      spec.leaseTransitions = (lease!.spec?.leaseTransitions ?? 0) + 1;
    }
    try {
      // replace carries metadata.resourceVersion: a concurrent writer makes this fail with 409.
      await this.api.replaceNamespacedLease({ name, namespace, body: { ...lease!, spec } });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 409) return false;
      throw err;
    }
  }
}
