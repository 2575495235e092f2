import { expect, test } from 'vitest';
import fc from 'fast-check';
import { expandVars, fieldValue, mapPaths } from './kubelet-env.js';

test('$(VAR) expansion follows Kubernetes: known names replaced, unknown kept, $$ escapes', () => {
  const vars = new Map([['A', 'x'], ['B', '$(A)']]);
  expect(expandVars('$(A)-$(B)-$(C)', vars)).toBe('x-$(A)-$(C)');
  expect(expandVars('$$(A) $$ $(A', vars)).toBe('$(A) $ $(A');
});

test('expansion without references is the identity, and a value is inserted verbatim', () => {
  fc.assert(
    fc.property(fc.string().filter((s) => !s.includes('$')), fc.string(), (s, v) => {
      expect(expandVars(s, new Map([['V', v]]))).toBe(s);
      expect(expandVars(`${s}$(V)${s}`, new Map([['V', v]]))).toBe(`${s}${v}${s}`);
    }),
  );
});

test('downward API fields', () => {
  const pod = { metadata: { name: 'p', namespace: 'n', labels: { a: 'b' } }, status: { podIP: '127.0.10.2', podIPs: [{ ip: '127.0.10.2' }] } };
  expect(fieldValue(pod, 'status.podIP')).toBe('127.0.10.2');
  expect(fieldValue(pod, "metadata.labels['a']")).toBe('b');
  expect(() => fieldValue(pod, 'spec.bogus')).toThrow(/unsupported/);
});

test('mount paths map whole components only', () => {
  const mounts = [{ mountPath: '/data', localDir: '/tmp/v1' }, { mountPath: '/data/sub', localDir: '/tmp/v2' }];
  expect(mapPaths('/data', mounts)).toBe('/tmp/v1');
  expect(mapPaths('/data/sub/x', mounts)).toBe('/tmp/v2/x');
  expect(mapPaths('/database', mounts)).toBe('/database');
  expect(mapPaths('echo > /data/f', mounts)).toBe('echo > /tmp/v1/f');
});
