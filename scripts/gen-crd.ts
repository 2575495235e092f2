// Writes the RedisShardCluster CRD generated from the zod schema to crds/ (and to the Helm chart's
// crds/ when the chart exists). Run: npm run gen:crd. A unit test fails when the files are stale.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CRD_FILE, buildCrdYaml } from '../operator/api/crd.js';
import { buildCrdReference } from '../operator/api/crd-docs.js';
import { chartValuesJsonSchema } from '../operator/api/chart-values.js';

export const CRD_DOC_FILE = 'docs/crd-reference.md';

function packageRoot(): string {
  let d = import.meta.dirname;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

export const CHART_CRD_FILE = 'charts/redshard/crds/redshard.io_redisshardclusters.yaml';
export const CHART_SCHEMA_FILE = 'charts/redshard/values.schema.json';

export function buildChartSchema(): string {
  return `${JSON.stringify(chartValuesJsonSchema(), null, 2)}\n`;
}

export function generateCrds(root = packageRoot()): string[] {
  const yaml = buildCrdYaml();
  const written: string[] = [];
  for (const rel of [CRD_FILE, CHART_CRD_FILE]) {
    const p = resolve(root, rel);
    if (rel === CHART_CRD_FILE && !existsSync(resolve(root, 'charts/redshard'))) continue;
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, yaml);
    written.push(rel);
  }
  mkdirSync(resolve(root, 'docs'), { recursive: true });
  writeFileSync(resolve(root, CRD_DOC_FILE), buildCrdReference());
  written.push(CRD_DOC_FILE);
  if (existsSync(resolve(root, 'charts/redshard'))) {
    writeFileSync(resolve(root, CHART_SCHEMA_FILE), buildChartSchema());
    written.push(CHART_SCHEMA_FILE);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  for (const f of generateCrds()) process.stdout.write(`wrote ${f}\n`);
}
