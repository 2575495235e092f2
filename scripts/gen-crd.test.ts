import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRD_FILE, buildCrdYaml } from '../operator/api/crd.js';
import { buildCrdReference } from '../operator/api/crd-docs.js';
import { CHART_CRD_FILE, CHART_SCHEMA_FILE, buildChartSchema } from './gen-crd.js';

describe('generated CRD', () => {
  it('crds/ matches the zod schema (run `npm run gen:crd` when this fails)', () => {
    const onDisk = readFileSync(resolve(import.meta.dirname, '..', CRD_FILE), 'utf8');
    expect(onDisk).toBe(buildCrdYaml());
  });

  it('docs/crd-reference.md matches the zod schema', () => {
    const onDisk = readFileSync(resolve(import.meta.dirname, '..', 'docs', 'crd-reference.md'), 'utf8');
    expect(onDisk).toBe(buildCrdReference());
    expect(onDisk).toContain('| `spec.shards` | integer |');
  });

  it('the chart carries the same CRD and a values schema generated from zod', () => {
    const root = resolve(import.meta.dirname, '..');
    expect(readFileSync(resolve(root, CHART_CRD_FILE), 'utf8')).toBe(buildCrdYaml());
    expect(readFileSync(resolve(root, CHART_SCHEMA_FILE), 'utf8')).toBe(buildChartSchema());
  });
});
