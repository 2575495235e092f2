import { describe, expect, it } from 'vitest';
import { buildCrd } from './crd.js';
import { SpecSchema, StatusSchema } from './v1alpha1.js';
import { checkSpec } from '../reconcile/checks.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function walk(node: Json, path: string, visit: (n: { [k: string]: Json }, path: string) => void): void {
  if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`, visit));
  else if (node && typeof node === 'object') {
    visit(node, path);
    for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`, visit);
  }
}

describe('RedisShardCluster spec', () => {
  it('fills defaults from an empty spec', () => {
    const s = SpecSchema.parse({});
    expect(s).toMatchObject({ shards: 3, replicasPerShard: 1, nodeTimeoutMs: 5000, paused: false, migration: { batchKeys: 100, slotsPerPass: 128 } });
  });

  it('refuses config the operator owns and unknown fields, naming them', () => {
    const r = checkSpec({ shards: 3, config: { port: '7000', 'maxmemory-policy': 'allkeys-lru' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('spec.config.port');
    const u = checkSpec({ shard: 3 });
    expect(u.ok).toBe(false);
    if (!u.ok) expect(u.message).toMatch(/shard/);
    expect(checkSpec({ config: { 'maxmemory-policy': 'allkeys-lru' } }).ok).toBe(true);
  });

  it('applies the cross-field member limit in zod as in the CRD rule', () => {
    expect(checkSpec({ shards: 101, replicasPerShard: 2 }).ok).toBe(false);
    expect(checkSpec({ shards: 100, replicasPerShard: 1 }).ok).toBe(true);
  });

  it('accepts a status the planner writes', () => {
    expect(StatusSchema.safeParse({ phase: 'Ready', slotsAssigned: 16384, shards: [{ index: 0, replicas: [], slots: '0-16383', slotCount: 16384 }] }).success).toBe(true);
  });
});

describe('CRD', () => {
  const crd = buildCrd() as { [k: string]: Json };
  const version = ((crd.spec as { [k: string]: Json }).versions as { [k: string]: Json }[])[0]!;
  const schema = (version.schema as { [k: string]: Json }).openAPIV3Schema as { [k: string]: Json };

  it('is a structural schema: every node typed, no additionalProperties:false or propertyNames', () => {
    walk(schema, '', (n, path) => {
      if (path.endsWith('.properties') || path.endsWith('.x-kubernetes-validations') || path.endsWith('.default') || /\.default\./.test(path)) return;
      if (/x-kubernetes-validations\[\d+\]$/.test(path) || /\.required$/.test(path)) return;
      expect(n.additionalProperties, path).not.toBe(false);
      expect(n.propertyNames, path).toBeUndefined();
      if (!n['x-kubernetes-preserve-unknown-fields']) expect(n.type, path).toBeDefined();
    });
  });

  it('has the status subresource, printer columns and a CEL rule for the cross-field limit', () => {
    expect(version.subresources).toEqual({ status: {} });
    expect((version.additionalPrinterColumns as { name: string }[]).map((c) => c.name)).toEqual(expect.arrayContaining(['Shards', 'Phase', 'Slots', 'Age']));
    const spec = (schema.properties as { [k: string]: { [k: string]: Json } }).spec!;
    expect(JSON.stringify(spec['x-kubernetes-validations'])).toContain('self.shards * (self.replicasPerShard + 1)');
    expect(spec.required).toBeUndefined();
  });
});
