import { describe, expect, test } from 'vitest';
import { SpecSchema, type SpecInput } from '../../api/v1alpha1.js';
import { buildExternalService, externalAnnounce, externalServiceDrifted, fixedNodePort, internalHostname } from './manifests.js';

const owner = { name: 'demo', namespace: 'ns1', uid: 'u-1' };
const spec = (externalAccess: SpecInput['externalAccess']) => SpecSchema.parse({ shards: 2, replicasPerShard: 1, externalAccess });

describe('external access schema', () => {
  test('accepts both types, refuses node ports without NodePort and duplicate members', () => {
    expect(SpecSchema.safeParse({ externalAccess: { type: 'LoadBalancer', annotations: { 'a/b': 'c' } } }).success).toBe(true);
    expect(SpecSchema.safeParse({ externalAccess: { type: 'NodePort', nodePortBase: 31000, members: [{ name: 'x-0-0', nodePort: 32000 }] } }).success).toBe(true);
    expect(SpecSchema.safeParse({ externalAccess: { type: 'Ingress' } }).success).toBe(false);
    expect(SpecSchema.safeParse({ externalAccess: { type: 'LoadBalancer', nodePortBase: 31000 } }).success).toBe(false);
    expect(SpecSchema.safeParse({ externalAccess: { type: 'LoadBalancer', members: [{ name: 'x', nodePort: 31000 }] } }).success).toBe(false);
    expect(SpecSchema.safeParse({ externalAccess: { type: 'NodePort', nodePortBase: 80 } }).success).toBe(false);
    expect(SpecSchema.safeParse({ externalAccess: { type: 'NodePort', members: [{ name: 'x' }, { name: 'x' }] } }).success).toBe(false);
    expect(SpecSchema.safeParse({ externalAccess: { type: 'LoadBalancer', members: [{ name: 'x', host: 'bad host' }] } }).success).toBe(false);
  });
});

describe('per-member external Service', () => {
  test('selects exactly its pod and exposes client and bus ports, with the annotations', () => {
    const s = buildExternalService(owner, spec({ type: 'LoadBalancer', annotations: { 'lb/internal': 'false' } }), 'demo-1-0', 2);
    expect(s.metadata?.name).toBe('demo-1-0-ext');
    expect(s.metadata?.annotations).toEqual({ 'lb/internal': 'false' });
    expect(s.metadata?.labels).toMatchObject({ 'redshard.io/cluster': 'demo', 'app.kubernetes.io/component': 'external', 'redshard.io/shard': '1', 'app.kubernetes.io/managed-by': 'redshard-operator' });
    expect(s.metadata?.ownerReferences?.[0]?.uid).toBe('u-1');
    expect(s.spec?.type).toBe('LoadBalancer');
    expect(s.spec?.selector).toEqual({ 'redshard.io/cluster': 'demo', 'statefulset.kubernetes.io/pod-name': 'demo-1-0' });
    expect(s.spec?.ports).toEqual([
      { name: 'client', port: 6379, targetPort: 'client', protocol: 'TCP' },
      { name: 'bus', port: 16379, targetPort: 'bus', protocol: 'TCP' },
    ]);
  });

  test('NodePort: a member\'s own port wins over nodePortBase + index; unset lets Kubernetes allocate', () => {
    const s = spec({ type: 'NodePort', nodePortBase: 31000, members: [{ name: 'demo-0-1', nodePort: 32100 }] });
    expect(fixedNodePort(s, 'demo-0-0', 0)).toBe(31000);
    expect(fixedNodePort(s, 'demo-1-1', 3)).toBe(31003);
    expect(fixedNodePort(s, 'demo-0-1', 1)).toBe(32100);
    expect(fixedNodePort(s, 'demo-9-0', null)).toBeUndefined();
    expect(buildExternalService(owner, s, 'demo-1-1', 3).spec?.ports?.[0]?.nodePort).toBe(31003);
    expect(buildExternalService(owner, spec({ type: 'NodePort' }), 'demo-1-1', 3).spec?.ports?.[0]).not.toHaveProperty('nodePort');
  });

  test('drift: type, selector, fixed node port and annotations matter; allocated ports do not', () => {
    const s = spec({ type: 'NodePort', annotations: { a: 'b' } });
    const want = buildExternalService(owner, s, 'demo-0-0', 0);
    const have = structuredClone(want);
    have.spec!.ports![0]!.nodePort = 30555;
    have.metadata!.annotations = { a: 'b', other: 'x' };
    expect(externalServiceDrifted(want, have)).toBe(false);
    expect(externalServiceDrifted(want, undefined)).toBe(true);
    expect(externalServiceDrifted(want, { ...have, spec: { ...have.spec, type: 'LoadBalancer' } })).toBe(true);
    expect(externalServiceDrifted(want, { ...have, metadata: { ...have.metadata, annotations: {} } })).toBe(true);
    const fixed = buildExternalService(owner, spec({ type: 'NodePort', nodePortBase: 31000 }), 'demo-0-0', 0);
    expect(externalServiceDrifted(fixed, have)).toBe(true);
  });
});

describe('what a member announces', () => {
  const lb = spec({ type: 'LoadBalancer', members: [{ name: 'demo-0-1', host: 'db1.example.com' }] });
  const lbSvc = (ingress?: { ip?: string; hostname?: string }[]) => ({ ...buildExternalService(owner, lb, 'demo-0-0', 0), status: { loadBalancer: { ingress } } });

  test('LoadBalancer: pending until the ingress is set, then its hostname or IP on the Service port', () => {
    expect(externalAnnounce(lb, 'demo-0-0', undefined, '10.0.0.1', undefined)).toEqual({ pending: 'Service demo-0-0-ext does not exist yet' });
    expect(externalAnnounce(lb, 'demo-0-0', lbSvc(), '10.0.0.1', undefined)).toMatchObject({ pending: expect.stringContaining('load balancer') });
    expect(externalAnnounce(lb, 'demo-0-0', lbSvc([{ ip: '203.0.113.7' }]), undefined, undefined)).toEqual({ hostname: '203.0.113.7', port: 6379, endpoint: 'hostname', external: true });
    expect(externalAnnounce(lb, 'demo-0-0', lbSvc([{ hostname: 'a.elb.example' }, { ip: '203.0.113.7' }]), undefined, undefined)).toMatchObject({ hostname: 'a.elb.example' });
    // A fixed host does not wait for the cloud.
    expect(externalAnnounce(lb, 'demo-0-1', lbSvc(), undefined, undefined)).toMatchObject({ hostname: 'db1.example.com' });
  });

  test('NodePort: the Kubernetes node\'s external address, else internal, else hostIP, with the node port', () => {
    const np = spec({ type: 'NodePort' });
    const svc = buildExternalService(owner, np, 'demo-0-0', 0);
    expect(externalAnnounce(np, 'demo-0-0', svc, '10.0.0.1', undefined)).toMatchObject({ pending: expect.stringContaining('no node port') });
    svc.spec!.ports![0]!.nodePort = 30123;
    const node = { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '10.0.0.9' }, { type: 'ExternalIP', address: '198.51.100.4' }] };
    expect(externalAnnounce(np, 'demo-0-0', svc, '10.0.0.1', node)).toEqual({ hostname: '198.51.100.4', port: 30123, endpoint: 'hostname', external: true });
    expect(externalAnnounce(np, 'demo-0-0', svc, '10.0.0.1', { addresses: [node.addresses[1]!] })).toMatchObject({ hostname: '10.0.0.9' });
    expect(externalAnnounce(np, 'demo-0-0', svc, '10.0.0.1', undefined)).toMatchObject({ hostname: '10.0.0.1' });
    expect(externalAnnounce(np, 'demo-0-0', svc, undefined, undefined)).toMatchObject({ pending: expect.stringContaining('not on a Kubernetes node') });
  });

  test('in-cluster hostname matches what the pod starts with', () => {
    expect(internalHostname(owner, 'demo-0-0')).toBe('demo-0-0.demo-nodes.ns1.svc');
  });
});
