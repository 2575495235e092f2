// A KubeConfig for the operator as it runs in a cluster: a ServiceAccount token (TokenRequest API)
// bound to the ClusterRole and Role built from operator/platform/kube/rbac.ts.
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { LEADER_ELECTION_RULES, OPERATOR_RULES } from '../../operator/platform/kube/rbac.js';
import type { ControlPlane } from './control-plane.js';

export async function serviceAccountKubeConfig(plane: ControlPlane, namespace = 'redshard-system', name = 'redshard-operator'): Promise<KubeConfig> {
  const admin = plane.kubeConfig();
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const subjects = [{ kind: 'ServiceAccount', name, namespace }];
  await rbac.createClusterRole({ body: { metadata: { name }, rules: [...OPERATOR_RULES] } });
  await rbac.createClusterRoleBinding({ body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects } });
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: `${name}-leader-election` }, rules: [...LEADER_ELECTION_RULES] } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: { metadata: { name: `${name}-leader-election` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${name}-leader-election` }, subjects },
  });
  const tr = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'plane', server: plane.server, caData: Buffer.from(plane.caPem).toString('base64') }],
    users: [{ name, token: tr.status!.token }],
    contexts: [{ name: 'operator', cluster: 'plane', user: name }],
    currentContext: 'operator',
  });
  return kc;
}
