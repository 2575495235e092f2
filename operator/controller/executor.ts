// Carries out a planned step: each action maps onto one platform call or one or more admin
// commands. Actions run in order and the first failure stops the step (the queue retries with
// backoff; the next pass re-observes, so a half-done step is simply seen and continued).
import type { Logger } from '../../common/log.js';
import type { RedisShardCluster, Spec } from '../api/v1alpha1.js';
import type { ClusterAdmin } from '../admin/cluster-admin.js';
import type { Platform } from '../platform/platform.js';
import type { Observed } from '../reconcile/observed.js';
import type { Action } from '../reconcile/plan.js';
import { rangesOf } from '../reconcile/slot-plan.js';

const SLOTS_IN_FLIGHT = 4;
/** A rolling update's failover waits this long for the replica to match its master's offset, and
 * then for the replica to report itself master. */
const CATCH_UP_TIMEOUT_MS = 10_000;
/** Redis ends an unfinished manual failover after 5 s (CLUSTER_MF_TIMEOUT). */
const FAILOVER_TIMEOUT_MS = 6_000;

export interface ExecuteContext {
  platform: Platform;
  admin: ClusterAdmin;
  cluster: RedisShardCluster;
  spec: Spec | null;
  observed: Observed | null;
  log: Logger;
  key: string;
}

export async function applyActions(ctx: ExecuteContext, actions: readonly Action[]): Promise<void> {
  for (const a of actions) await applyAction(ctx, a);
}

function clientOf(ctx: ExecuteContext, name: string) {
  const m = ctx.observed?.members.find((x) => x.member.name === name)?.member;
  if (!m || !m.host) throw new Error(`member ${name} has no address`);
  return { client: ctx.admin.client(m.host, m.port), host: m.host, port: m.port };
}

async function applyAction(ctx: ExecuteContext, a: Action): Promise<void> {
  const { platform, admin, cluster, log } = ctx;
  switch (a.kind) {
    case 'SetFinalizer':
      log.info({ present: a.present }, 'finalizer');
      return platform.setFinalizer(ctx.key, a.present);
    case 'DeleteAll':
      log.info('deleting every member');
      await platform.deleteAll(cluster);
      admin.close();
      return;
    case 'EnsureMembers':
      if (!ctx.spec) throw new Error('EnsureMembers without a valid spec');
      log.info({ members: a.members.map((m) => m.name) }, 'ensuring members');
      return platform.ensureMembers(cluster, ctx.spec, a.members);
    case 'Meet': {
      const { client } = clientOf(ctx, a.on);
      return admin.meet(client, a.host, a.port);
    }
    case 'AddSlots':
      return admin.addSlots(clientOf(ctx, a.on).client, a.ranges);
    case 'ClaimSlots':
      return admin.claimSlots(clientOf(ctx, a.on).client, a.ranges);
    case 'Replicate':
      return admin.replicate(clientOf(ctx, a.on).client, a.masterId);
    case 'SetSlot':
      log.info({ member: a.on, slot: a.slot, state: a.state, nodeId: a.nodeId }, 'closing open slot');
      return admin.setSlot(clientOf(ctx, a.on).client, a.slot, a.state, a.nodeId);
    case 'Forget':
      await Promise.all(a.on.map((name) => admin.forget(clientOf(ctx, name).client, a.nodeId)));
      return;
    case 'DeleteMember':
      log.info({ member: a.name }, 'deleting member');
      await platform.deleteMember(cluster, a.name);
      await platform.event(cluster, { type: 'Normal', reason: 'MemberRemoved', message: `removed ${a.name}` });
      return;
    case 'Failover':
      log.warn({ member: a.on, mode: a.mode }, 'forcing a failover');
      await admin.failover(clientOf(ctx, a.on).client, a.mode);
      await platform.event(cluster, { type: 'Warning', reason: 'TakeoverFailover', message: `${a.on} took over its lost master's slots (CLUSTER FAILOVER ${a.mode})` });
      return;
    case 'RestartMember': {
      if (!ctx.spec) throw new Error('RestartMember without a valid spec');
      if (!platform.restartMember) throw new Error(`the ${platform.name} platform cannot restart members`);
      log.info({ member: a.name, role: a.role, revision: a.revision }, 'rolling update: restarting member');
      await platform.restartMember(cluster, ctx.spec, a.name);
      await platform.event(cluster, { type: 'Normal', reason: 'RollingRestart', message: `restarted ${a.role} ${a.name} with revision ${a.revision}` });
      return;
    }
    case 'PromoteReplica': {
      const replica = clientOf(ctx, a.on).client;
      const master = clientOf(ctx, a.master).client;
      const started = Date.now();
      const how = await admin.promoteReplica(master, replica, { catchUpMs: CATCH_UP_TIMEOUT_MS, failoverMs: FAILOVER_TIMEOUT_MS });
      log.info({ replica: a.on, master: a.master, how, ms: Date.now() - started }, 'rolling update: replica promoted');
      await platform.event(cluster, { type: 'Normal', reason: 'RollingFailover', message: `${a.on} took over from ${a.master} (${how === 'manual' ? 'CLUSTER FAILOVER' : 'writes paused, CLUSTER FAILOVER FORCE'}) so that ${a.master} can be restarted` });
      return;
    }
    case 'Announce': {
      const { client } = clientOf(ctx, a.on);
      log.info({ member: a.on, hostname: a.hostname, endpoint: a.endpoint }, 'announcing hostname');
      // Hostname first: with the endpoint type switched before it, clients would briefly see the
      // old (in-cluster) name as their endpoint.
      await client.call('CONFIG', 'SET', 'cluster-announce-hostname', a.hostname);
      await client.call('CONFIG', 'SET', 'cluster-preferred-endpoint-type', a.endpoint);
      return;
    }
    case 'MigrateSlots': {
      const spec = ctx.spec;
      if (!spec) throw new Error('MigrateSlots without a valid spec');
      const src = clientOf(ctx, a.from);
      const dst = clientOf(ctx, a.to);
      const others = a.notify.map((n) => clientOf(ctx, n).client);
      const started = Date.now();
      if (a.atomic) {
        // One IMPORT-SLOTS per contiguous range, in order: the target owns each range when it
        // replies, and a failure stops here with the source still owning the rest.
        for (const range of rangesOf(a.slots)) await admin.importSlots(admin.importClient(dst.host, dst.port), range, src.host, src.port);
        log.info({ from: a.from, to: a.to, slots: a.slots.length, first: a.slots[0], last: a.slots[a.slots.length - 1], atomic: true, ms: Date.now() - started }, 'slots migrated');
        return;
      }
      let keys = 0;
      // A few slots in flight at once hide the round trips (each SETSLOT NODE also waits for a
      // nodes.conf fsync); each slot still follows the full open-move-close sequence.
      const queue = [...a.slots];
      const worker = async () => {
        for (let slot = queue.shift(); slot !== undefined; slot = queue.shift()) {
          keys += await admin.migrateSlot(src.client, a.fromId, dst.client, a.toId, dst.host, dst.port, slot, others, spec.migration);
        }
      };
      let failure: unknown = null;
      const guarded = async () => {
        try {
          await worker();
        } catch (e) {
          // Stop the other workers at their next slot, let them finish the one in hand, then fail.
          failure ??= e;
          queue.length = 0;
        }
      };
      await Promise.all(Array.from({ length: Math.min(SLOTS_IN_FLIGHT, queue.length) }, guarded));
      if (failure) throw failure;
      log.info({ from: a.from, to: a.to, slots: a.slots.length, first: a.slots[0], last: a.slots[a.slots.length - 1], keys, ms: Date.now() - started }, 'slots migrated');
      return;
    }
  }
}
