import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { ROOT } from '../helpers/processes.js';

// helm is built from its Go module and cached by scripts/k8s/build.sh (run by npm test).
const BIN = execFileSync('bash', [join(ROOT, 'scripts/k8s/build.sh')], { encoding: 'utf8' }).trim();
const HELM = join(BIN, 'helm');
const CHART = join(ROOT, 'charts/redshard');

function helm(args: string[]): { code: number; out: string } {
  if (args[0] === 'template') args = [...args, '--kube-version', '1.36.3'];
  const r = spawnSync(HELM, args, { encoding: 'utf8', env: { ...process.env, HELM_CACHE_HOME: '/tmp/redshard-helm', HELM_CONFIG_HOME: '/tmp/redshard-helm' } });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function kinds(text: string): string[] {
  return (loadAll(text) as unknown[])
    .map((d) => d as { kind?: string } | null)
    .filter((o): o is { kind: string } => !!o && typeof o.kind === 'string')
    .map((o) => o.kind)
    .sort();
}

describe('Helm chart', () => {
  it('passes helm lint', () => {
    const r = helm(['lint', CHART, '--strict']);
    expect(r.out).toContain('0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  it('renders the operator with cluster-wide least-privilege RBAC by default', () => {
    const r = helm(['template', 'rs', CHART, '--namespace', 'ops', '--include-crds']);
    expect(r.code, r.out).toBe(0);
    expect(kinds(r.out)).toEqual(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Deployment', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    expect(r.out).toContain('helm.sh/resource-policy: keep');
    expect(r.out).not.toMatch(/verbs: \[\*\]|resources: \[\*\]/);
  });

  it('switches to a namespaced Role, a ServiceMonitor and an example cluster when asked', () => {
    const r = helm(['template', 'rs', CHART, '--set', 'watchNamespace=apps', '--set', 'metrics.serviceMonitor.enabled=true', '--set', 'exampleCluster.enabled=true']);
    expect(r.code, r.out).toBe(0);
    expect(kinds(r.out)).toEqual(['Deployment', 'RedisShardCluster', 'Role', 'Role', 'RoleBinding', 'RoleBinding', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    expect(r.out).toContain('--watch-namespace=apps');
  });

  it('rejects values that do not match the generated schema', () => {
    const r = helm(['template', 'rs', CHART, '--set', 'replicaCount=0']);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/replicaCount/);
    const typo = helm(['template', 'rs', CHART, '--set', 'replicas=2']);
    expect(typo.code).not.toBe(0);
  });
});
