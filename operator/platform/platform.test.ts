import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RESERVED_CONFIG_KEYS, type Spec } from '../api/v1alpha1.js';
import { configFromNodeArgs, memberRevision, nodeArgs } from './platform.js';
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

describe('configFromNodeArgs', () => {
  const reserved = new Set<string>(RESERVED_CONFIG_KEYS);
  const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((k) => !reserved.has(k));
  it('reads back exactly the config passthrough nodeArgs was given, whatever else is set', () => {
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ maxLength: 30 })), fc.boolean(), fc.option(fc.string({ minLength: 1, maxLength: 10 })), (config, announce, password) => {
        const spec = { nodeTimeoutMs: 2000, config } as unknown as Spec;
        const args = nodeArgs(spec, {
          bind: '$(POD_IP)', port: 6379, dir: '/data', password,
          ...(announce ? { announceIp: '$(POD_IP)', announceHostname: '$(POD_NAME).x' } : {}),
        });
        expect(configFromNodeArgs(args)).toEqual(config);
        expect(memberRevision({ image: 'i', config: configFromNodeArgs(args) })).toBe(memberRevision({ image: 'i', config }));
      }),
    );
  });
});
