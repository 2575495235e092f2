import { describe, expect, it } from 'vitest';
import { routeBlockedKey, routeCommand, type RouteQuery } from './routing.js';
import { addSlot, createNode, createState, setMyMaster, type ClusterState } from './state.js';
import { NodeFlag } from '../bus/messages.js';
import { keySlot } from '../../common/slots.js';

const ID = (c: string) => c.repeat(40);

function cluster(): ClusterState {
  const st = createState(ID('a'), { nodeTimeout: 15000, requireFullCoverage: true, allowReplicaMigration: true, announceIp: '' }, 0);
  const b = createNode(ID('b'), NodeFlag.MASTER, 0);
  b.ip = '127.0.0.1';
  b.port = 7001;
  st.nodes.set(b.id, b);
  for (let s = 0; s < 8192; s++) addSlot(st, st.myself, s);
  for (let s = 8192; s < 16383; s++) addSlot(st, b, s);
  st.ok = true;
  return st;
}

function q(keys: string[], over: Partial<RouteQuery> = {}): RouteQuery {
  return {
    keys,
    asking: false,
    readonlyClient: false,
    isWrite: false,
    isMigrate: false,
    impliesAsking: false,
    shardedPubsub: false,
    allowReadsWhenDown: false,
    allowPubsubshardWhenDown: true,
    keyExists: () => false,
    ...over,
  };
}

// Keys with known slots (facts §1): {user1000} -> 3443 (mine), foo -> 12182 (b), {d} -> 11298 (b).
describe('routeCommand', () => {
  it('serves local keys, redirects others, rejects cross-slot and unbound slots', () => {
    const st = cluster();
    expect(routeCommand(st, q([])).kind).toBe('serve');
    expect(routeCommand(st, q(['{user1000}.a', '{user1000}.b'])).kind).toBe('serve');
    const moved = routeCommand(st, q(['foo']));
    expect(moved.kind === 'moved' && moved.slot === 12182 && moved.node.id === ID('b')).toBe(true);
    expect(routeCommand(st, q(['{user1000}', 'foo'])).kind).toBe('crossslot');
    expect(keySlot('{a}')).toBe(15495);
    const lastSlotKey = Array.from({ length: 100000 }, (_, i) => `k${i}`).find((k) => keySlot(k) === 16383)!;
    expect(routeCommand(st, q([lastSlotKey]))).toEqual({ kind: 'down', reason: 'unbound' });
  });

  it('answers CLUSTERDOWN while the cluster is down, honouring allow-reads-when-down', () => {
    const st = cluster();
    st.ok = false;
    expect(routeCommand(st, q(['{user1000}']))).toEqual({ kind: 'down', reason: 'down' });
    expect(routeCommand(st, q(['{user1000}'], { allowReadsWhenDown: true })).kind).toBe('serve');
    expect(routeCommand(st, q(['{user1000}'], { allowReadsWhenDown: true, isWrite: true }))).toEqual({ kind: 'down', reason: 'readonly' });
  });

  it('migrating slot: ASK for missing keys, TRYAGAIN for a split multi-key request', () => {
    const st = cluster();
    st.migrating.set(3443, ID('b'));
    const present = new Set(['{user1000}.x']);
    const exists = (k: string) => present.has(k);
    expect(routeCommand(st, q(['{user1000}.x'], { keyExists: exists })).kind).toBe('serve');
    const ask = routeCommand(st, q(['{user1000}.y'], { keyExists: exists }));
    expect(ask.kind === 'ask' && ask.slot === 3443 && ask.node.id === ID('b')).toBe(true);
    expect(routeCommand(st, q(['{user1000}.x', '{user1000}.y'], { keyExists: exists })).kind).toBe('tryagain');
    expect(routeCommand(st, q(['{user1000}.y'], { keyExists: exists, isMigrate: true })).kind).toBe('serve');
  });

  it('importing slot: MOVED without ASKING, served with ASKING, TRYAGAIN for split keys', () => {
    const st = cluster();
    st.importing.set(11298, ID('b'));
    expect(routeCommand(st, q(['{d}x'])).kind).toBe('moved');
    expect(routeCommand(st, q(['{d}x'], { asking: true })).kind).toBe('serve');
    expect(routeCommand(st, q(['{d}x'], { impliesAsking: true })).kind).toBe('serve');
    expect(routeCommand(st, q(['{d}x', '{d}y'], { asking: true })).kind).toBe('tryagain');
  });

  it('READONLY replica serves reads of its master but not writes', () => {
    const st = cluster();
    for (let s = 0; s < 8192; s++) st.owners[s] = null;
    st.myself.numSlots = 0;
    for (let s = 0; s < 8192; s++) addSlot(st, st.nodes.get(ID('b'))!, s);
    setMyMaster(st, st.nodes.get(ID('b'))!);
    expect(routeCommand(st, q(['{user1000}'], { readonlyClient: true })).kind).toBe('serve');
    expect(routeCommand(st, q(['{user1000}'], { readonlyClient: true, isWrite: true })).kind).toBe('moved');
    expect(routeCommand(st, q(['{user1000}'])).kind).toBe('moved');
  });
});

describe('routeBlockedKey', () => {
  it('keeps waits on served or importing slots, ends the others as Redis 7.0 does', () => {
    const st = cluster();
    expect(routeBlockedKey(st, '{user1000}').kind).toBe('serve');
    const moved = routeBlockedKey(st, 'foo');
    expect(moved.kind === 'moved' && moved.slot === 12182 && moved.node.id === ID('b')).toBe(true);
    st.importing.set(12182, ID('b'));
    expect(routeBlockedKey(st, 'foo').kind).toBe('serve');
    // A slot migrating away is still ours: its waiters stay.
    st.migrating.set(3443, ID('b'));
    expect(routeBlockedKey(st, '{user1000}').kind).toBe('serve');
    const lastSlotKey = Array.from({ length: 100000 }, (_, i) => `k${i}`).find((k) => keySlot(k) === 16383)!;
    expect(routeBlockedKey(st, lastSlotKey)).toEqual({ kind: 'down', reason: 'unbound' });
    st.ok = false;
    expect(routeBlockedKey(st, '{user1000}')).toEqual({ kind: 'down', reason: 'down' });
  });
});
