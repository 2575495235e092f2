// The permissions the kube platform and leader election use, and nothing more: the Helm chart's
// ClusterRole is built from this list, and the e2e suite runs the operator with a ServiceAccount
// bound to exactly these rules, so a call that needs more fails a test instead of a user's install.
import type { V1PolicyRule } from '@kubernetes/client-node';
import { GROUP, PLURAL } from '../../api/v1alpha1.js';

/** Cluster-wide rules (the operator watches resources in every namespace by default). */
export const OPERATOR_RULES: readonly V1PolicyRule[] = [
  { apiGroups: [GROUP], resources: [PLURAL], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
  { apiGroups: [GROUP], resources: [`${PLURAL}/status`], verbs: ['get', 'patch', 'update'] },
  { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] },
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] },
  // NodePort external access announces the address of the Kubernetes node a member runs on.
  { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['get', 'list', 'create', 'patch', 'update', 'delete'] },
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'delete'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
];

/** Rules in the operator's own namespace: its leader Lease. */
export const LEADER_ELECTION_RULES: readonly V1PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];
