import { expect, test } from 'vitest';
import fc from 'fast-check';
import { diffList, nextBackoff, objectKey } from './list-watch.js';

const obj = (name: string, rv: string, namespace = 'ns') => ({ metadata: { name, namespace, resourceVersion: rv } });

test('relist differences become ADDED, MODIFIED and DELETED', () => {
  const cache = new Map([['ns/a', obj('a', '1')], ['ns/b', obj('b', '1')]]);
  const events = diffList(cache, [obj('a', '1'), obj('b', '2'), obj('c', '3')]);
  expect(events.map((e) => `${e.type} ${e.obj.metadata.name}`)).toEqual(['MODIFIED b', 'ADDED c']);
  expect(diffList(cache, []).map((e) => e.type)).toEqual(['DELETED', 'DELETED']);
});

test('applying a diff to the cache yields the fresh list', () => {
  const item = fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd'), rv: fc.constantFrom('1', '2') });
  fc.assert(
    fc.property(fc.uniqueArray(item, { selector: (i) => i.name }), fc.uniqueArray(item, { selector: (i) => i.name }), (before, after) => {
      const cache = new Map(before.map((i) => [`ns/${i.name}`, obj(i.name, i.rv)]));
      for (const e of diffList(cache, after.map((i) => obj(i.name, i.rv)))) {
        if (e.type === 'DELETED') cache.delete(objectKey(e.obj));
        else cache.set(objectKey(e.obj), e.obj);
      }
      expect([...cache.values()].map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort()).toEqual(after.map((i) => `${i.name}@${i.rv}`).sort());
    }),
  );
});

test('backoff doubles up to its cap', () => {
  let d: number | undefined;
  const seen: number[] = [];
  for (let i = 0; i < 8; i++) seen.push((d = nextBackoff(d, 500, 30_000)));
  expect(seen).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  expect(objectKey({ metadata: { name: 'n' } })).toBe('n');
});
