import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { ROOT } from '../helpers/processes.js';
import { parseWith } from '../../common/schema.js';
import { SpecSchema } from '../../operator/api/v1alpha1.js';
import { buildClientService } from '../../operator/platform/kube/manifests.js';
import { LEADER_ELECTION_RULES, OPERATOR_RULES } from '../../operator/platform/kube/rbac.js';

// helm is built from its Go module and cached by scripts/k8s/build.sh (run by npm test).
const BIN = execFileSync('bash', [join(ROOT, 'scripts/k8s/build.sh')], { encoding: 'utf8' }).trim();
const HELM = join(BIN, 'helm');
const CHART = join(ROOT, 'charts/redshard');

function helm(args: string[]): { code: number; out: string } {
  if (args[0] === 'template') args = [...args, '--kube-version', '1.36.3'];
  const r = spawnSync(HELM, args, { encoding: 'utf8', env: { ...process.env, HELM_CACHE_HOME: '/tmp/redshard-helm', HELM_CONFIG_HOME: '/tmp/redshard-helm' } });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

interface Obj {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  rules?: { apiGroups?: string[]; resources?: string[]; verbs: string[] }[];
}

function objects(text: string): Obj[] {
  return (loadAll(text) as unknown[]).filter((o): o is Obj => !!o && typeof (o as { kind?: unknown }).kind === 'string');
}

/** Rules as comparable strings: group/resource -> sorted verbs. */
function ruleSet(rules: readonly { apiGroups?: string[]; resources?: string[]; verbs: string[] }[]): string[] {
  return rules.flatMap((r) => (r.apiGroups ?? []).flatMap((g) => (r.resources ?? []).map((res) => `${g}/${res}: ${[...r.verbs].sort().join(',')}`))).sort();
}

/** NOTES.txt rendered by helm's own engine: helm template skips it and install needs a cluster,
 * so a copy of the chart carries it as a named template inside a ConfigMap. */
const tmp = mkdtempSync(join(tmpdir(), 'redshard-chart-notes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
function notes(args: string[]): string {
  const copy = join(tmp, 'redshard');
  rmSync(copy, { recursive: true, force: true });
  cpSync(CHART, copy, { recursive: true });
  const text = readFileSync(join(copy, 'templates/NOTES.txt'), 'utf8');
  rmSync(join(copy, 'templates/NOTES.txt'));
  writeFileSync(join(copy, 'templates/_notes.tpl'), `{{- define "test.notes" -}}\n${text}{{- end -}}\n`);
  writeFileSync(join(copy, 'templates/notes.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: |\n    {{- include "test.notes" . | nindent 4 }}\n');
  const r = helm(['template', 'rs', copy, '--show-only', 'templates/notes.yaml', ...args]);
  expect(r.code, r.out).toBe(0);
  return (load(r.out) as { data: { notes: string } }).data.notes;
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

  it('grants the operator exactly the rules it is tested with (rbac.ts), no more', () => {
    const all = objects(helm(['template', 'rs', CHART, '--namespace', 'ops']).out);
    const role = all.find((o) => o.kind === 'ClusterRole')!;
    const finalizers = { apiGroups: ['redshard.io'], resources: ['redisshardclusters/finalizers'], verbs: ['update'] };
    expect(ruleSet(role.rules!)).toEqual(ruleSet([...OPERATOR_RULES, finalizers] as { apiGroups?: string[]; resources?: string[]; verbs: string[] }[]));
    const lease = all.find((o) => o.kind === 'Role' && o.metadata.name.endsWith('-leader-election'))!;
    expect(lease.metadata.namespace).toBe('ops');
    expect(ruleSet(lease.rules!)).toEqual(ruleSet(LEADER_ELECTION_RULES as { apiGroups?: string[]; resources?: string[]; verbs: string[] }[]));
    const binding = all.find((o) => o.kind === 'ClusterRoleBinding') as Obj & { roleRef: { name: string }; subjects: { name: string; namespace: string }[] };
    const sa = all.find((o) => o.kind === 'ServiceAccount')!;
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'ops' }]);
    // Namespaced mode: the same rules in a Role of the watched namespace, nothing cluster-wide.
    const ns = objects(helm(['template', 'rs', CHART, '--namespace', 'ops', '--set', 'watchNamespace=apps']).out);
    expect(ns.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
    const nsRole = ns.find((o) => o.kind === 'Role' && o.metadata.namespace === 'apps')!;
    expect(ruleSet(nsRole.rules!)).toEqual(ruleSet(role.rules!));
  });

  it('keeps the CRD on uninstall and ships the generated one', () => {
    const r = helm(['template', 'rs', CHART, '--include-crds']);
    const crd = objects(r.out).find((o) => o.kind === 'CustomResourceDefinition')!;
    expect(crd.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    expect(readFileSync(join(CHART, 'crds/redshard.io_redisshardclusters.yaml'), 'utf8')).toBe(readFileSync(join(ROOT, 'crds/redshard.io_redisshardclusters.yaml'), 'utf8'));
  });

  it('the optional ServiceMonitor scrapes the metrics Service, which selects the operator pods', () => {
    const all = objects(helm(['template', 'rs', CHART, '--set', 'metrics.serviceMonitor.enabled=true', '--set', 'metrics.serviceMonitor.labels.release=prom']).out);
    const sm = all.find((o) => o.kind === 'ServiceMonitor') as Obj & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] } };
    const svc = all.find((o) => o.kind === 'Service') as Obj & { spec: { selector: Record<string, string>; ports: { name: string; port: number }[] } };
    const deploy = all.find((o) => o.kind === 'Deployment') as Obj & { spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { ports: { name: string; containerPort: number }[] }[] } } } };
    expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(sm.metadata.labels?.release).toBe('prom');
    expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(svc.spec.ports.map((p) => p.name)).toContain(sm.spec.endpoints[0]!.port);
    expect(deploy.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    expect(deploy.spec.template.spec.containers[0]!.ports.find((p) => p.name === 'metrics')?.containerPort).toBe(svc.spec.ports[0]!.port);
    expect(kinds(helm(['template', 'rs', CHART]).out)).not.toContain('ServiceMonitor');
  });

  it('the example cluster (template and examples/cluster.yaml) is a valid RedisShardCluster', () => {
    const rendered = objects(helm(['template', 'demo', CHART, '--namespace', 'apps', '--set', 'exampleCluster.enabled=true', '--set', 'exampleCluster.shards=4', '--set', 'image.tag=1.2.3']).out).find((o) => o.kind === 'RedisShardCluster')!;
    expect(rendered.metadata).toMatchObject({ name: 'demo', namespace: 'apps' });
    expect(parseWith(SpecSchema, rendered.spec, 'example spec')).toMatchObject({ shards: 4, replicasPerShard: 1, image: 'redshard:1.2.3' });
    const file = load(readFileSync(join(CHART, 'examples/cluster.yaml'), 'utf8')) as Obj;
    expect(file).toMatchObject({ apiVersion: 'redshard.io/v1alpha1', kind: 'RedisShardCluster' });
    expect(parseWith(SpecSchema, file.spec, 'examples/cluster.yaml').shards).toBeGreaterThan(0);
  });

  it('NOTES.txt tells the user what to apply next, and the snippet is a valid cluster', () => {
    const text = notes(['--namespace', 'ops']);
    expect(text).toContain('installed in namespace ops (watching all namespaces)');
    const snippet = /cat <<YAML \| kubectl apply -n default -f -\n([\s\S]*?)\n {2}YAML/.exec(text)![1]!.replace(/^ {2}/gm, '');
    const cr = load(snippet) as Obj;
    expect(cr).toMatchObject({ apiVersion: 'redshard.io/v1alpha1', kind: 'RedisShardCluster', metadata: { name: 'cache' } });
    expect(parseWith(SpecSchema, cr.spec, 'NOTES snippet')).toMatchObject({ shards: 3, image: 'redshard:0.1.0' });
    // Clients start from the Service the operator creates for the cluster.
    const client = buildClientService({ name: 'cache', namespace: 'default', uid: 'u' });
    expect(text).toContain(`"${client.metadata!.name}" Service on port ${client.spec!.ports![0]!.port}`);
    expect(text).toContain('redshard status --kube --namespace default --name cache');
    expect(text).toContain('helm.sh/resource-policy: keep');
    const scoped = notes(['--namespace', 'ops', '--set', 'watchNamespace=apps', '--set', 'metrics.serviceMonitor.enabled=true']);
    expect(scoped).toContain('(watching namespace apps)');
    expect(scoped).toContain('kubectl apply -n apps -f -');
    expect(scoped).toContain('scraped by the ServiceMonitor');
    const example = notes(['--namespace', 'ops', '--set', 'exampleCluster.enabled=true']);
    expect(example).toContain('The example cluster "rs" (3 shards x 1 replica(s)) was created');
    expect(example).not.toContain('cat <<YAML');
  });

  it('the operator Deployment: leader election, probes on the metrics port, resources, non-root', () => {
    type Container = { command: string[]; args: string[]; resources: { requests?: object; limits?: object }; readinessProbe: { httpGet: { path: string; port: string } }; livenessProbe: { httpGet: { path: string; port: string } }; securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean } };
    type Deploy = Obj & { spec: { replicas: number; template: { spec: { serviceAccountName: string; securityContext: { runAsNonRoot: boolean; runAsUser: number }; containers: Container[] } } } };
    const deploy = (set: string[]) => objects(helm(['template', 'rs', CHART, ...set]).out).find((o) => o.kind === 'Deployment') as Deploy;
    const d = deploy(['--set', 'replicaCount=2']);
    const c = d.spec.template.spec.containers[0]!;
    expect(d.spec.replicas).toBe(2);
    expect(c.command).toEqual(['redshard-operator', 'kube']);
    expect(c.args).toContain('--lease-name=redshard-operator');
    expect(c.args).not.toContain('--no-leader-election');
    expect(deploy(['--set', 'leaderElection.enabled=false']).spec.template.spec.containers[0]!.args).toContain('--no-leader-election');
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits).toBeDefined();
    expect(d.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(d.spec.template.spec.serviceAccountName).toBe('rs-redshard');
  });
});
