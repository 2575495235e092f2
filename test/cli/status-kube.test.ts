// `redshard status --kube` against the real test control plane: RedisShardCluster objects whose
// status the test writes through the status subresource, read back as the slot map picture and as
// JSON, chosen by --kubeconfig / $KUBECONFIG, --context (and its namespace), --namespace, --name;
// and one clear sentence for each way of pointing at the wrong thing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binariesPresent, startControlPlane, type ControlPlane } from '../e2e-kube/control-plane.js';
import { ROOT } from '../helpers/processes.js';
import { redshard } from './cli-run.js';

let plane: ControlPlane;
let tmp: string;
/** The admin kubeconfig plus a context "apps-ctx" whose namespace is apps, and one to a dead server. */
let multi: string;

const status = (masters: string[]) => ({
  phase: 'Ready',
  slotsAssigned: 16384,
  readyMembers: `${masters.length * 2}/${masters.length * 2}`,
  shards: masters.map((address, index) => {
    const per = 16384 / masters.length;
    return {
      index,
      master: { name: `c-${index}-0`, address },
      replicas: [{ name: `c-${index}-1`, address: address.replace(/:\d+$/, ':6380') }],
      slots: `${index * per}-${(index + 1) * per - 1}`,
      slotCount: per,
    };
  }),
  conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' }],
});

function create(ns: string, name: string, st: object): void {
  plane.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'redshard.io/v1alpha1', kind: 'RedisShardCluster', metadata: { name, namespace: ns }, spec: { shards: 2 } }));
  plane.kubectl(['-n', ns, 'patch', 'rsc', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: st })]);
}

beforeAll(async () => {
  if (!binariesPresent()) return;
  plane = await startControlPlane();
  tmp = mkdtempSync(join(tmpdir(), 'redshard-status-kube-'));
  plane.kubectl(['apply', '--server-side', '-f', join(ROOT, 'crds')]);
  plane.kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/redisshardclusters.redshard.io']);
  for (const ns of ['apps', 'empty']) plane.kubectl(['create', 'namespace', ns]);
  create('apps', 'orders', status(['10.0.0.1:6379', '10.0.0.2:6379']));
  create('default', 'solo', { ...status(['10.0.1.1:6379', '10.0.1.2:6379', '10.0.1.3:6379', '10.0.1.4:6379']), phase: 'Scaling', operation: { type: 'ScaleOut', message: 'moving slots', slotsTotal: 4096, slotsMoved: 1024, startedAt: '2026-01-01T00:00:00Z' } });
  create('apps', 'carts', status(['10.0.2.1:6379']));
  type Kc = { contexts: { name: string; context: Record<string, string> }[]; clusters: { name: string; cluster: Record<string, string> }[] };
  const kc = load(readFileSync(plane.kubeconfigPath, 'utf8')) as Kc;
  const base = kc.contexts[0]!;
  kc.contexts.push({ name: 'apps-ctx', context: { ...base.context, namespace: 'apps' } });
  kc.clusters.push({ name: 'dead', cluster: { ...kc.clusters[0]!.cluster, server: 'https://127.0.0.1:1' } });
  kc.contexts.push({ name: 'dead-ctx', context: { ...base.context, cluster: 'dead' } });
  multi = join(tmp, 'multi.kubeconfig');
  writeFileSync(multi, dump(kc));
}, 120_000);

afterAll(async () => {
  await plane?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!binariesPresent())('redshard status --kube', () => {
  it('draws the slot map of a named cluster in a namespace', async () => {
    const r = await redshard(['status', '--kube', '--kubeconfig', multi, '--namespace', 'apps', '--name', 'orders']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('cluster apps/orders: Ready  16384/16384 slots  members 4/4');
    expect(r.stdout).toContain(`[${'A'.repeat(32)}${'B'.repeat(32)}]`);
    expect(r.stdout).toMatch(/A 0\s+10\.0\.0\.1:6379\s+10\.0\.0\.1:6380\s+8192 \(0-8191\)/);
  });

  it('prints JSON for scripts, from $KUBECONFIG, finding the only cluster of the default namespace', async () => {
    const r = await redshard(['status', '--kube', '--json'], { env: { ...process.env, KUBECONFIG: plane.kubeconfigPath } });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { name: string; namespace: string; context: string; spec: { shards: number }; status: { phase: string; operation: { slotsMoved: number } } };
    expect(j).toMatchObject({ name: 'solo', namespace: 'default', context: 'redshard-test', spec: { shards: 2 }, status: { phase: 'Scaling', operation: { slotsMoved: 1024 } } });
  });

  it("--context picks the context and its namespace; the picture shows an operation's progress", async () => {
    const r = await redshard(['status', '--kube', '--kubeconfig', multi, '--context', 'apps-ctx', '--name', 'carts']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('cluster apps/carts: Ready');
    const solo = await redshard(['status', '--kube', '--kubeconfig', multi, '--name', 'solo']);
    expect(solo.stdout).toContain('cluster default/solo: Scaling');
    expect(solo.stdout).toContain('operation ScaleOut (slots moved 1024 of 4096): moving slots');
  });

  it('explains what is wrong with the target', async () => {
    const cases: [string[], string][] = [
      [['--namespace', 'apps'], 'redshard: 2 RedisShardClusters in namespace apps (carts, orders); name one with --name'],
      [['--namespace', 'empty'], 'redshard: no RedisShardCluster in namespace empty (context redshard-test); pick another with --namespace'],
      [['--namespace', 'apps', '--name', 'nope'], 'redshard: RedisShardCluster apps/nope not found (context redshard-test)'],
      [['--context', 'prod'], 'redshard: --context prod is not in the kubeconfig; its contexts are: redshard-test, apps-ctx, dead-ctx'],
    ];
    for (const [args, message] of cases) {
      const r = await redshard(['status', '--kube', '--kubeconfig', multi, ...args]);
      expect(r.stderr.trim(), args.join(' ')).toBe(message);
      expect(r.code).toBe(2);
    }
    const dead = await redshard(['status', '--kube', '--kubeconfig', multi, '--context', 'dead-ctx']);
    expect(dead.stderr).toMatch(/^redshard: cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1 \(context dead-ctx\)/);
    expect(dead.code).toBe(2);
  });

  it('says so when the CRD is not installed (last: it deletes the CRD)', async () => {
    plane.kubectl(['delete', 'crd', 'redisshardclusters.redshard.io', '--wait=true', '--timeout=60s']);
    const r = await redshard(['status', '--kube', '--kubeconfig', multi]);
    expect(r.stderr.trim()).toMatch(/^redshard: the RedisShardCluster CRD is not installed on https:\/\/127\.0\.0\.1:\d+ \(install the chart: helm install redshard charts\/redshard\)$/);
    expect(r.code).toBe(2);
  });
});
