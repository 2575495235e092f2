// The RedisShardCluster objects a kube test creates, reads, patches and deletes in one namespace,
// and the status checks the tests wait on.
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type Status } from '../../operator/api/v1alpha1.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface ClusterObject {
  metadata: { name: string; generation: number; managedFields?: { manager: string; subresource?: string }[] };
  status?: Status;
}

export interface ShardClusters {
  create(name: string, spec: Record<string, unknown>): Promise<void>;
  get(name: string): Promise<ClusterObject>;
  status(name: string): Promise<Status | undefined>;
  /** Merge-patches the spec (null removes a field); resolves with the resulting generation. */
  patchSpec(name: string, spec: Record<string, unknown>): Promise<number>;
  delete(name: string): Promise<void>;
  list(): Promise<ClusterObject[]>;
}

/** `api` is called on each use, so the object can be made before the API client exists. */
export function shardClusters(api: () => CustomObjectsApi, namespace: string): ShardClusters {
  const at = { group: GROUP, version: VERSION, namespace, plural: PLURAL };
  const get = async (name: string) => (await api().getNamespacedCustomObject({ ...at, name })) as ClusterObject;
  return {
    async create(name, spec) {
      await api().createNamespacedCustomObject({ ...at, body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'RedisShardCluster', metadata: { name }, spec } });
    },
    get,
    status: async (name) => (await get(name)).status,
    async patchSpec(name, spec) {
      return ((await api().patchNamespacedCustomObject({ ...at, name, body: { spec } }, merge)) as ClusterObject).metadata.generation;
    },
    async delete(name) {
      await api().deleteNamespacedCustomObject({ ...at, name });
    },
    list: async () => ((await api().listNamespacedCustomObject(at)) as { items: ClusterObject[] }).items,
  };
}

export function condition(s: Status | undefined, type: string) {
  return s?.conditions?.find((c) => c.type === type);
}

/** Ready=True with all 16384 slots assigned. */
export function isReady(s: Status | undefined): s is Status {
  return condition(s, 'Ready')?.status === 'True' && s?.slotsAssigned === 16384;
}
