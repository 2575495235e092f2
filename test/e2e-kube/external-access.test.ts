// External access (spec.externalAccess) on a real control plane with the test kubelet. What is
// real here: the per-member Services (type, selector, ports, annotations, allocated node ports),
// the operator waiting for a load balancer's address and then reconfiguring the running nodes, and
// what the nodes tell clients (CLUSTER SLOTS / SHARDS, MOVED) while the bus and replication keep
// using pod addresses. What is not: no cloud controller (the test writes status.loadBalancer
// itself, as one would) and no kube-proxy, so nothing is sent to a Service or node port; every
// command goes to a pod address (127.0.x.y).
import { describe, expect, test } from 'vitest';
import { PatchStrategy, setHeaderOptions, type V1Service } from '@kubernetes/client-node';
import { type Status } from '../../operator/api/v1alpha1.js';
import { useKubeEnvironment } from './environment.js';
import { condition } from './resources.js';
import { until } from '../helpers/until.js';
import { redisCli } from '../helpers/processes.js';

const IMAGE = process.env.REDSHARD_E2E_IMAGE ?? 'redshard:dev';
const NS = 'ext';
const NAME = 'edge';
const MEMBERS = ['edge-0-0', 'edge-0-1', 'edge-1-0', 'edge-1-1', 'edge-2-0', 'edge-2-1'];
const lbHost = (m: string) => `${m}.lb.example.test`;

const env = useKubeEnvironment({
  crd: 'generated', namespace: NS,
  operator: { identity: 'e2e-operator', leaseNamespace: 'redshard-system', serviceAccount: true },
});
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const clusters = env.clusters(NS);
const status = () => clusters.status(NAME);

function podIp(member: string): string {
  const p = env.kubelet.running().find((x) => x.namespace === NS && x.name === member);
  if (!p) throw new Error(`${member} is not running`);
  return p.ip;
}
const cli = (member: string, ...args: string[]) => redisCli(6379, args, { host: podIp(member) });

async function externalServices(): Promise<Map<string, V1Service>> {
  const list = await env.core.listNamespacedService({ namespace: NS, labelSelector: `redshard.io/cluster=${NAME},app.kubernetes.io/component=external` });
  return new Map(list.items.map((s) => [s.metadata!.name!, s]));
}

/** Ready, every slot assigned, ExternalAccess as asked, and every replica's link up. */
async function converged(external: 'True' | 'False'): Promise<Status> {
  return until(`${NAME} converged with ExternalAccess=${external}`, async () => {
    const s = await status();
    if (condition(s, 'Ready')?.status !== 'True' || s?.slotsAssigned !== 16384 || condition(s, 'ExternalAccess')?.status !== external) return undefined;
    for (const m of MEMBERS) {
      const info = cli(m, 'INFO', 'replication');
      if (/role:slave/.test(info) && !/master_link_status:up/.test(info)) return undefined;
    }
    return s;
  }, 200_000, 250);
}

describe(`external access (image ${IMAGE})`, () => {
  test('LoadBalancer: one Service per member, the operator waits for the address, then the nodes announce it', async () => {
    await clusters.create(NAME, {
      shards: 3, replicasPerShard: 1, image: IMAGE, nodeTimeoutMs: 2000,
      externalAccess: { type: 'LoadBalancer', annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' }, members: [{ name: 'edge-2-1', host: 'fixed.example.test' }] },
    });
    const svcs = await until('six external Services', async () => { const m = await externalServices(); return m.size === 6 ? m : undefined; }, 120_000, 250);
    for (const m of MEMBERS) {
      const s = svcs.get(`${m}-ext`)!;
      expect(s.spec?.type).toBe('LoadBalancer');
      expect(s.spec?.selector).toEqual({ 'redshard.io/cluster': NAME, 'statefulset.kubernetes.io/pod-name': m });
      expect(s.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).toEqual([['client', 6379, 'client'], ['bus', 16379, 'bus']]);
      expect(s.metadata?.annotations?.['service.beta.kubernetes.io/aws-load-balancer-type']).toBe('nlb');
      expect(s.metadata?.ownerReferences?.[0]?.kind).toBe('RedisShardCluster');
    }
    // The selector matches exactly one pod: the member's own.
    for (const m of MEMBERS) {
      await until(`pod ${m}`, async () => (await env.core.listNamespacedPod({ namespace: NS, labelSelector: `statefulset.kubernetes.io/pod-name=${m}` })).items.length === 1, 120_000, 250);
    }
    // No load balancer address yet: the cluster is built and Ready, external access waits.
    const waiting = await converged('False');
    expect(condition(waiting, 'ExternalAccess')?.reason).toBe('AwaitingExternalAddress');
    expect(condition(waiting, 'ExternalAccess')?.message).toContain('waiting for the load balancer');
    // The fixed host needs no load balancer address.
    await until('edge-2-1 announces its fixed host', async () => cli('edge-2-1', 'CONFIG', 'GET', 'cluster-announce-hostname').includes('fixed.example.test'), 60_000, 250);

    // What a cloud controller does: write each Service's status.
    for (const m of MEMBERS) {
      await env.core.patchNamespacedServiceStatus({ namespace: NS, name: `${m}-ext`, body: { status: { loadBalancer: { ingress: [{ hostname: lbHost(m) }] } } } }, merge);
    }
    const done = await converged('True');
    expect(condition(done, 'ExternalAccess')?.reason).toBe('Announced');
    expect(condition(done, 'ExternalAccess')?.message).toContain(`edge-0-0=${lbHost('edge-0-0')}:6379`);
    const expected = (m: string) => (m === 'edge-2-1' ? 'fixed.example.test' : lbHost(m));
    const ipToMember = new Map(MEMBERS.map((m) => [podIp(m), m]));

    // Every node agrees: CLUSTER SLOTS endpoints are the external names (on 6379, the load
    // balancer's port) and the pod IP stays available as metadata.
    await until('every node shows external endpoints in CLUSTER SLOTS', async () => {
      for (const viewer of MEMBERS) {
        const out = cli(viewer, '--json', 'CLUSTER', 'SLOTS');
        const slots = JSON.parse(out) as [number, number, ...[string, number, string, Record<string, string> | string[]][]][];
        if (slots.length === 0) return false;
        for (const [, , ...nodes] of slots) {
          for (const [endpoint, port, , meta] of nodes) {
            const metaIp = Array.isArray(meta) ? meta[meta.indexOf('ip') + 1] : meta.ip;
            const m = metaIp ? ipToMember.get(metaIp) : undefined;
            if (!m || endpoint !== expected(m) || port !== 6379) return false;
          }
        }
      }
      return true;
    }, 60_000, 500);

    // CLUSTER SHARDS: endpoint = hostname = the external name, ip = the pod IP (bus, replication).
    const shards = cli('edge-0-0', 'CLUSTER', 'SHARDS');
    for (const m of MEMBERS) {
      expect(shards).toContain(expected(m));
      expect(shards).toContain(podIp(m));
    }
    expect(shards).not.toContain('.svc');

    // A redirect sends an outside client to the external name.
    const key = 'somekey';
    const slot = Number(cli('edge-0-0', 'CLUSTER', 'KEYSLOT', key).trim());
    const owner = MEMBERS.find((m) => cli(m, 'CLUSTER', 'NODES').split('\n').some((l) => l.includes('myself,master') && l.split(' ').slice(8).some((r) => { const [a, b] = r.split('-').map(Number); return slot >= a! && slot <= (b ?? a!); })));
    const other = MEMBERS.find((m) => m !== owner && /role:master/.test(cli(m, 'INFO', 'replication')))!;
    expect(cli(other, 'GET', key).trim()).toBe(`MOVED ${slot} ${expected(owner!)}:6379`);

    // The bus still runs over pod addresses: CLUSTER NODES shows ip:port@cport of the pods.
    const nodes = cli('edge-1-0', 'CLUSTER', 'NODES');
    for (const m of MEMBERS) expect(nodes).toContain(`${podIp(m)}:6379@16379,${expected(m)}`);
    expect(nodes).not.toMatch(/fail/);
  });

  test('NodePort: Services get the fixed node ports, nodes announce their Kubernetes node address; off again restores the in-cluster names', async () => {
    await clusters.patchSpec(NAME, { externalAccess: { type: 'NodePort', nodePortBase: 31400, members: null, annotations: null } });
    const svcs = await until('NodePort Services with the fixed ports', async () => {
      const m = await externalServices();
      const ok = MEMBERS.every((name, i) => m.get(`${name}-ext`)?.spec?.type === 'NodePort' && m.get(`${name}-ext`)?.spec?.ports?.[0]?.nodePort === 31400 + i);
      return ok ? m : undefined;
    }, 60_000, 250);
    expect(svcs.size).toBe(6);
    const hostOf = async (m: string) => (await env.core.readNamespacedPod({ namespace: NS, name: m })).status!.hostIP!;
    const want = await Promise.all(MEMBERS.map(async (m, i) => `${m}=${await hostOf(m)}:${31400 + i}`));
    // The status still says Announced for the load balancers until the operator's next pass.
    await until('ExternalAccess lists the node addresses and ports', async () => { const st = await status(); return want.every((w) => condition(st, 'ExternalAccess')?.message.includes(w)); }, 60_000, 250);
    await converged('True');
    // Peers learn each other's new hostnames by gossip: poll rather than read once.
    const hosts = await Promise.all(MEMBERS.map(hostOf));
    await until('CLUSTER SHARDS shows the node addresses only', async () => {
      const shards = cli('edge-0-0', 'CLUSTER', 'SHARDS');
      return hosts.every((h) => shards.includes(h)) && !shards.includes('lb.example.test') ? true : undefined;
    }, 60_000, 250);

    // Off: the Services go, the nodes announce the in-cluster names with the ip endpoint again.
    await clusters.patchSpec(NAME, { externalAccess: null });
    await until('external Services removed', async () => (await externalServices()).size === 0, 60_000, 250);
    await until('in-cluster names announced again', async () =>
      MEMBERS.every((m) => cli(m, 'CONFIG', 'GET', 'cluster-announce-hostname').includes(`${m}.${NAME}-nodes.${NS}.svc`) && cli(m, 'CONFIG', 'GET', 'cluster-preferred-endpoint-type').includes('\nip')), 60_000, 250);
    const s = await until('no ExternalAccess condition', async () => { const st = await status(); return st && !condition(st, 'ExternalAccess') && condition(st, 'Ready')?.status === 'True' ? st : undefined; }, 60_000, 250);
    expect(s.slotsAssigned).toBe(16384);
    const slots = cli('edge-0-0', 'CLUSTER', 'SLOTS');
    expect(slots).toContain(podIp('edge-0-0'));
  });
});
