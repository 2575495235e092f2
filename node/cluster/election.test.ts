import { describe, expect, it } from 'vitest';
import { countAuthAck, handleReplicaFailover, replicaRank, type ReplicaEnv } from './election.js';
import { addSlot, createNode, createState, setMyMaster, updateState, type ClusterState } from './state.js';
import { NodeFlag } from '../bus/messages.js';

const ID = (c: string) => c.repeat(40);

function cluster(): ClusterState {
  const st = createState(ID('a'), { nodeTimeout: 1000, requireFullCoverage: true, allowReplicaMigration: true, announceIp: '' }, 0);
  for (const c of ['b', 'c', 'd']) st.nodes.set(ID(c), createNode(ID(c), NodeFlag.MASTER, 0));
  const sib = createNode(ID('e'), NodeFlag.SLAVE, 0);
  sib.masterId = ID('b');
  st.nodes.set(sib.id, sib);
  for (let s = 0; s < 16384; s++) addSlot(st, st.nodes.get(s < 5000 ? ID('b') : s < 10000 ? ID('c') : ID('d'))!, s);
  setMyMaster(st, st.nodes.get(ID('b'))!);
  st.myself.flags = NodeFlag.MYSELF | NodeFlag.SLAVE;
  st.firstStateEval = -10_000;
  updateState(st, 0);
  return st;
}

const env = (now: number, over: Partial<ReplicaEnv> = {}): ReplicaEnv => ({
  now,
  myOffset: 100,
  dataAgeMs: 0,
  validityFactor: 10,
  replPingPeriodMs: 10_000,
  noFailover: false,
  random: () => 0,
  ...over,
});

describe('replica election', () => {
  it('does nothing while the master is healthy', () => {
    const st = cluster();
    expect(handleReplicaFailover(st, env(10_000))).toEqual([]);
  });

  it('ranks replicas by offset and delays the start by rank', () => {
    const st = cluster();
    st.nodes.get(ID('e'))!.replOffset = 200;
    expect(replicaRank(st, 100)).toBe(1);
    st.nodes.get(ID('b'))!.flags |= NodeFlag.FAIL;
    const fx = handleReplicaFailover(st, env(10_000));
    expect(fx.some((e) => e.t === 'pong-to-siblings')).toBe(true);
    expect(st.election.authTime).toBe(10_000 + 500 + 1000);
  });

  it('asks for votes once the delay passed and wins with a majority of slot owners', () => {
    const st = cluster();
    st.nodes.get(ID('b'))!.flags |= NodeFlag.FAIL;
    handleReplicaFailover(st, env(10_000));
    const fx = handleReplicaFailover(st, env(10_600));
    expect(fx).toContainEqual({ t: 'broadcast-auth-request', forceAck: false });
    const epoch = st.election.authEpoch;
    expect(epoch).toBe(1);
    expect(countAuthAck(st, st.nodes.get(ID('c'))!, epoch)).toBe(true);
    expect(handleReplicaFailover(st, env(10_700)).some((e) => e.t === 'broadcast-pong')).toBe(false);
    expect(countAuthAck(st, st.nodes.get(ID('d'))!, epoch - 1)).toBe(false);
    expect(countAuthAck(st, st.nodes.get(ID('d'))!, epoch)).toBe(true);
    const win = handleReplicaFailover(st, env(10_800));
    expect(win.some((e) => e.t === 'broadcast-pong')).toBe(true);
    expect(st.myself.flags & NodeFlag.MASTER).toBe(NodeFlag.MASTER);
    expect(st.myself.configEpoch).toBe(epoch);
    expect(st.owners[0]).toBe(st.myself);
    expect(st.nodes.get(ID('b'))!.numSlots).toBe(0);
  });

  it('refuses with stale data unless manual', () => {
    const st = cluster();
    st.nodes.get(ID('b'))!.flags |= NodeFlag.FAIL;
    expect(handleReplicaFailover(st, env(10_000, { dataAgeMs: 60_000 }))).toEqual([]);
    st.mf = { end: 20_000, canStart: true, masterOffset: 100, replicaId: null };
    expect(handleReplicaFailover(st, env(10_000, { dataAgeMs: 60_000 })).length).toBeGreaterThan(0);
    expect(st.election.authTime).toBe(10_000);
  });

  it('cluster-replica-no-failover: no automatic election, a manual failover still runs', () => {
    const st = cluster();
    st.nodes.get(ID('b'))!.flags |= NodeFlag.FAIL;
    expect(handleReplicaFailover(st, env(10_000, { noFailover: true }))).toEqual([]);
    expect(handleReplicaFailover(st, env(20_000, { noFailover: true }))).toEqual([]);
    expect(st.myself.flags & NodeFlag.MASTER).toBe(0);
    st.mf = { end: 30_000, canStart: true, masterOffset: 100, replicaId: null };
    expect(handleReplicaFailover(st, env(20_000, { noFailover: true })).length).toBeGreaterThan(0);
  });
});
