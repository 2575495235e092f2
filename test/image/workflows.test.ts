// The CI workflows refer to things that exist: npm scripts, files, chart values; the e2e job
// builds the image from this Dockerfile, loads it into kind under the tag it installs the chart
// with, and hands the suite a kubeconfig file.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/processes.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
type Workflow = { jobs: Record<string, { steps: Step[] }> };

const dir = join(ROOT, '.github/workflows');
const workflows = readdirSync(dir).map((f) => ({ file: f, wf: load(readFileSync(join(dir, f), 'utf8')) as Workflow }));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const values = load(readFileSync(join(ROOT, 'charts/redshard/values.yaml'), 'utf8')) as Record<string, unknown>;
const steps = (file: string) => Object.values(workflows.find((w) => w.file === file)!.wf.jobs).flatMap((j) => j.steps);

describe('GitHub workflows', () => {
  it('use Node 24, npm ci, and only npm scripts and files that exist', () => {
    expect(workflows.map((w) => w.file).sort()).toEqual(['ci.yml', 'e2e-kind.yml']);
    for (const { file, wf } of workflows) {
      const all = Object.values(wf.jobs).flatMap((j) => j.steps);
      expect(all.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version'], file).toBe('24');
      const runs = all.map((s) => s.run ?? '').join('\n');
      expect(runs, file).toContain('npm ci');
      for (const m of runs.matchAll(/npm run ([\w:-]+)/g)) expect(pkg.scripts[m[1]!], `${file}: npm run ${m[1]}`).toBeDefined();
      for (const s of all) if (s.with?.config) expect(existsSync(join(ROOT, s.with.config)), `${file}: ${s.with.config}`).toBe(true);
    }
    expect(steps('ci.yml').some((s) => s.run === 'npm test')).toBe(true);
  });

  it('e2e: the image built here is the one kind loads and the chart installs, with values the chart has', () => {
    const all = steps('e2e-kind.yml');
    const runs = all.map((s) => s.run ?? '').join('\n').replace(/\\\n\s*/g, ' ');
    const tag = /docker build -t (\S+) \./.exec(runs)![1]!;
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
    expect(runs).toContain(`kind load docker-image ${tag} --name ${all.find((s) => s.uses?.startsWith('helm/kind-action'))!.with!.cluster_name}`);
    const install = /helm install \S+ (\S+)([^\n]*)/.exec(runs)!;
    expect(existsSync(join(ROOT, install[1]!, 'Chart.yaml'))).toBe(true);
    const sets = Object.fromEntries([...install[2]!.matchAll(/--set ([\w.]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
    expect(`${sets['image.repository']}:${sets['image.tag']}`).toBe(tag);
    for (const key of Object.keys(sets)) {
      const v = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], values);
      expect(v, `values.yaml has ${key}`).not.toBeUndefined();
    }
    const suite = all.find((s) => s.env?.REDSHARD_E2E_KUBECONFIG)!;
    expect(suite.run).toBe('npm run e2e:kube');
    expect(suite.env!.REDSHARD_E2E_IMAGE).toBe(tag);
    expect(suite.env!.REDSHARD_E2E_KUBECONFIG).toMatch(/kind\.kubeconfig$/);
    expect(runs).toContain('kind get kubeconfig --name redshard > "$RUNNER_TEMP/kind.kubeconfig"');
  });
});
