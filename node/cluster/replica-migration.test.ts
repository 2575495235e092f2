import { describe, expect, it } from 'vitest';
import { MIGRATION_DELAY_MS, replicaMigrationTarget, type MigrationOptions } from './replica-migration.js';
import { addNode, addSlot, createNode, createState, removeNode, setAsMaster, setMyMaster, setReplicaOf, updateState, type ClusterState } from './state.js';
import { NodeFlag } from '../bus/messages.js';

const ID = (c: string) => c.repeat(40);
const T0 = 100_000;

/** Masters b, c, d; b has replicas myself (1) and 9, c has e, d has f. */
function cluster(): ClusterState {
  const st = createState(ID('1'), { nodeTimeout: 1000, requireFullCoverage: true, allowReplicaMigration: true, migrationBarrier: 1, announceIp: '' }, 0);
  for (const c of ['b', 'c', 'd']) addNode(st, createNode(ID(c), NodeFlag.MASTER, 0));
  for (let s = 0; s < 16384; s++) addSlot(st, st.nodes.get(s < 5000 ? ID('b') : s < 10000 ? ID('c') : ID('d'))!, s);
  setMyMaster(st, st.nodes.get(ID('b'))!);
  for (const [r, m] of [['9', 'b'], ['e', 'c'], ['f', 'd']] as const) {
    const n = createNode(ID(r), NodeFlag.SLAVE, 0);
    addNode(st, n);
    setReplicaOf(st, n, ID(m));
  }
  st.firstStateEval = -10_000;
  updateState(st, 0);
  return st;
}

const opts = (now: number, over: Partial<MigrationOptions> = {}): MigrationOptions => ({ now, allow: true, barrier: 1, ...over });
const fail = (st: ClusterState, c: string, flag: number = NodeFlag.FAIL) => {
  st.nodes.get(ID(c))!.flags |= flag;
};

/** Runs the check every 100 ms like the cron, from `from` for `ms`; returns the first target. */
function cron(st: ClusterState, from: number, ms: number, over: Partial<MigrationOptions> = {}): { id: string; at: number } | null {
  for (let t = from; t <= from + ms; t += 100) {
    const target = replicaMigrationTarget(st, opts(t, over));
    if (target !== null) return { id: target.id, at: t - from };
  }
  return null;
}

describe('replica migration decision', () => {
  it('does nothing while every master has a working replica', () => {
    expect(cron(cluster(), T0, 20_000)).toBeNull();
  });

  it('moves the smallest-ID spare replica to an orphaned master after the delay', () => {
    const st = cluster();
    fail(st, 'e');
    const r = cron(st, T0, 20_000);
    expect(r?.id).toBe(ID('c'));
    expect(r!.at).toBeGreaterThan(MIGRATION_DELAY_MS);
    expect(r!.at).toBeLessThanOrEqual(MIGRATION_DELAY_MS + 100);
  });

  it('leaves the move to the spare with the smaller ID', () => {
    const st = cluster();
    const other = createNode(ID('0'), NodeFlag.SLAVE, 0);
    addNode(st, other);
    setReplicaOf(st, other, ID('b'));
    fail(st, 'e');
    expect(cron(st, T0, 20_000)).toBeNull();
  });

  it('respects cluster-allow-replica-migration no and the migration barrier', () => {
    const st = cluster();
    fail(st, 'e');
    expect(cron(st, T0, 20_000, { allow: false })).toBeNull();
    expect(cron(cluster(), T0, 20_000, { barrier: 2 })).toBeNull();
    const st2 = cluster();
    fail(st2, 'e');
    expect(cron(st2, T0, 20_000, { barrier: 2 })).toBeNull();
    expect(cron(st2, T0 + 30_000, 20_000, { barrier: 0 })?.id).toBe(ID('c'));
  });

  it('does not leave a master whose other replica is only suspected (PFAIL)', () => {
    const st = cluster();
    fail(st, 'e');
    fail(st, '9', NodeFlag.PFAIL);
    expect(cron(st, T0, 20_000)).toBeNull();
  });

  it('needs cluster_state ok and a master that is itself up', () => {
    const st = cluster();
    fail(st, 'e');
    st.ok = false;
    expect(cron(st, T0, 20_000)).toBeNull();
    const st2 = cluster();
    fail(st2, 'e');
    fail(st2, 'c');
    expect(cron(st2, T0, 20_000)).toBeNull();
  });

  it('does not move while the orphaned master has a working replica again', () => {
    const st = cluster();
    fail(st, 'e');
    expect(cron(st, T0, 3000)).toBeNull();
    st.nodes.get(ID('e'))!.flags &= ~NodeFlag.FAIL;
    expect(cron(st, T0 + 3100, 20_000)).toBeNull();
    // Like Redis, the orphaned time is only refreshed while a migration is being considered,
    // so a master orphaned again is a target without a new full delay.
    fail(st, 'e');
    expect(cron(st, T0 + 24_000, 20_000)?.id).toBe(ID('c'));
  });
});

describe('MIGRATE_TO bookkeeping', () => {
  const flagged = (st: ClusterState, c: string) => (st.nodes.get(ID(c))!.flags & NodeFlag.MIGRATE_TO) !== 0;

  it('marks masters that got replicas, unmarks one whose last replica left', () => {
    const st = cluster();
    expect(['b', 'c', 'd'].map((c) => flagged(st, c))).toEqual([true, true, true]);
    setReplicaOf(st, st.nodes.get(ID('e'))!, ID('d'));
    expect(flagged(st, 'c')).toBe(false);
    removeNode(st, st.nodes.get(ID('f'))!);
    expect(flagged(st, 'd')).toBe(true);
    removeNode(st, st.nodes.get(ID('e'))!);
    expect(flagged(st, 'd')).toBe(false);
  });

  it('a master without replicas is not orphaned unless marked; a promoted replica and a new master with slots are', () => {
    const st = cluster();
    // A master that never had a replica and got its slots while no master had any.
    const lone = createState(ID('1'), st.opts, 0);
    const m = createNode(ID('z'), NodeFlag.MASTER, 0);
    addNode(lone, m);
    addSlot(lone, m, 1);
    expect(m.flags & NodeFlag.MIGRATE_TO).toBe(0);

    const g = createNode(ID('g'), NodeFlag.MASTER, 0);
    addNode(st, g);
    const s = 20;
    st.owners[s] = null;
    st.nodes.get(ID('b'))!.numSlots--;
    st.nodes.get(ID('b'))!.slots[s >> 3]! &= ~(1 << (s & 7));
    addSlot(st, g, s);
    expect(flagged(st, 'g')).toBe(true);

    const f = st.nodes.get(ID('f'))!;
    setAsMaster(st, f);
    expect(flagged(st, 'f')).toBe(true);
    expect(flagged(st, 'd')).toBe(false);
  });
});
