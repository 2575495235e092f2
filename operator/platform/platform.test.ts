import { describe, expect, it } from 'vitest';
import { memberRevision } from './platform.js';
import { nodeCommandForImage } from './local/node-command.js';

describe('memberRevision', () => {
  it('changes with the image or the config, not with the order of config keys', () => {
    const a = memberRevision({ image: 'local:redis-server', config: { hz: '10', 'maxmemory-policy': 'noeviction' } });
    expect(memberRevision({ image: 'local:redis-server', config: { 'maxmemory-policy': 'noeviction', hz: '10' } })).toBe(a);
    expect(memberRevision({ image: 'local:redshard-node', config: { hz: '10', 'maxmemory-policy': 'noeviction' } })).not.toBe(a);
    expect(memberRevision({ image: 'local:redis-server', config: { hz: '20', 'maxmemory-policy': 'noeviction' } })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('nodeCommandForImage', () => {
  it('maps local:<command> to the program and leaves container images to the cluster default', () => {
    expect(nodeCommandForImage('local:redis-server', ['x'])).toEqual(['redis-server']);
    expect(nodeCommandForImage('local:redshard-node', ['x'])[1]).toMatch(/bin\/redshard-node\.js$/);
    expect(nodeCommandForImage('redshard:0.1.0', ['fallback'])).toEqual(['fallback']);
    expect(nodeCommandForImage('local:', ['fallback'])).toEqual(['fallback']);
  });
});
