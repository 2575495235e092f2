import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRD_FILE, buildCrdYaml } from '../operator/api/crd.js';

describe('generated CRD', () => {
  it('crds/ matches the zod schema (run `npm run gen:crd` when this fails)', () => {
    const onDisk = readFileSync(resolve(import.meta.dirname, '..', CRD_FILE), 'utf8');
    expect(onDisk).toBe(buildCrdYaml());
  });
});
