import { describe, expect, it } from 'vitest';
import { progressLine, renderStatus, slotBar } from './slot-map.js';

const status = {
  phase: 'Ready' as const,
  slotsAssigned: 16384,
  readyMembers: '4/4',
  shards: [
    { index: 0, master: { name: 'c-0-0', address: '127.0.0.11:6379' }, replicas: [{ name: 'c-0-1', address: '127.0.0.12:6379' }], slots: '0-8191', slotCount: 8192 },
    { index: 1, master: { name: 'c-1-0', address: '127.0.0.13:6379' }, replicas: [], slots: '8192-16383', slotCount: 8192 },
  ],
};

describe('slot map', () => {
  it('draws one letter per shard across the slot space', () => {
    expect(slotBar(status, 8)).toBe('AAAABBBB');
    expect(slotBar({ shards: [] }, 4)).toBe('....');
  });

  it('renders a table a person reads at a glance', () => {
    const text = renderStatus('local', status, 16);
    expect(text).toContain('cluster local: Ready  16384/16384 slots  members 4/4');
    expect(text).toContain('[AAAAAAAABBBBBBBB]');
    expect(text).toMatch(/A 0\s+127\.0\.0\.11:6379\s+127\.0\.0\.12:6379\s+8192 \(0-8191\)/);
  });

  it('shows slot progress for long operations', () => {
    const line = progressLine({ phase: 'Scaling', operation: { type: 'ScaleOut', message: 'm', slotsTotal: 100, slotsMoved: 50, startedAt: 'x' } }, 10);
    expect(line).toBe('ScaleOut [#####-----] slots moved 50 of 100');
    expect(progressLine({ phase: 'Scaling', operation: { type: 'ScaleOut', message: 'm', slotsTotal: 4, slotsMoved: 4, startedAt: 'x' } }, 4, 'Rebalance')).toBe('Rebalance [####] slots moved 4 of 4');
    // Rolling updates report members (fields the controller adds to status.operation).
    const rolling = { type: 'Repair' as const, message: 'm', startedAt: 'x', membersTotal: 6, membersUpdated: 2 };
    expect(progressLine({ phase: 'Healing', operation: rolling }, 6)).toBe('Repair [##----] members updated 2 of 6');
    expect(progressLine({ phase: 'Creating', conditions: [{ type: 'Ready', status: 'False', reason: 'r', message: 'starting members', lastTransitionTime: 'x' }] })).toBe('Creating: starting members');
    // A step that failed is retried; an invalid spec is not (it waits for a fixed spec).
    expect(progressLine({ phase: 'Healing', lastError: 'boom' })).toBe('retrying after: boom');
    const invalid = { type: 'Ready' as const, status: 'False' as const, reason: 'InvalidSpec', message: 'spec.shards: too small', lastTransitionTime: 'x' };
    expect(progressLine({ phase: 'Invalid', lastError: 'spec.shards: too small', conditions: [invalid] })).toBe('Invalid: spec.shards: too small');
  });
});
