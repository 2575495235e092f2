// `redshard status --kube`: reads one RedisShardCluster from a Kubernetes API server and turns
// every way that can fail (no kubeconfig, unknown context, unreachable server, missing CRD or
// resource) into one sentence a person can act on.
import { existsSync } from 'node:fs';
import { parseWith } from '../../common/schema.js';
import { GROUP, PLURAL, StatusSchema, VERSION, type Status } from '../api/v1alpha1.js';

export class KubeStatusError extends Error {}

export interface KubeTarget {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
}

export interface KubeClusterStatus {
  name: string;
  namespace: string;
  context: string;
  spec: unknown;
  status: Status;
}

function httpCode(e: unknown): number | undefined {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'number' ? c : undefined;
}

export async function kubeStatus(t: KubeTarget): Promise<KubeClusterStatus> {
  const { CustomObjectsApi, KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (t.kubeconfig) {
    if (!existsSync(t.kubeconfig)) throw new KubeStatusError(`--kubeconfig ${t.kubeconfig}: no such file`);
    kc.loadFromFile(t.kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  if (t.context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(t.context)) throw new KubeStatusError(`--context ${t.context} is not in the kubeconfig; its contexts are: ${names.join(', ') || '(none)'}`);
    kc.setCurrentContext(t.context);
  }
  const context = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new KubeStatusError('no Kubernetes cluster configured: set $KUBECONFIG, or pass --kubeconfig (and --context)');
  const namespace = t.namespace ?? kc.getContextObject(context)?.namespace ?? 'default';
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: GROUP, version: VERSION, namespace, plural: PLURAL };
  const explain = (e: unknown): Error => {
    const code = httpCode(e);
    if (code === 404) {
      return new KubeStatusError(
        t.name
          ? `RedisShardCluster ${namespace}/${t.name} not found (context ${context})`
          : `the RedisShardCluster CRD is not installed on ${server} (install the chart: helm install redshard charts/redshard)`,
      );
    }
    if (code === 401 || code === 403) return new KubeStatusError(`the API server at ${server} refused to show RedisShardClusters in ${namespace} (HTTP ${code}); check the credentials of context ${context}`);
    if (code !== undefined) return new KubeStatusError(`the API server at ${server} answered HTTP ${code}`);
    return new KubeStatusError(`cannot reach the Kubernetes API server at ${server} (context ${context}): ${e instanceof Error ? e.message : String(e)}`);
  };
  let obj: unknown;
  try {
    if (t.name) obj = await api.getNamespacedCustomObject({ ...base, name: t.name });
    else {
      const items = ((await api.listNamespacedCustomObject(base)) as { items?: unknown[] }).items ?? [];
      if (items.length !== 1) {
        const names = items.map((i) => (i as { metadata?: { name?: string } }).metadata?.name ?? '?');
        throw new KubeStatusError(
          items.length === 0
            ? `no RedisShardCluster in namespace ${namespace} (context ${context}); pick another with --namespace`
            : `${items.length} RedisShardClusters in namespace ${namespace} (${names.join(', ')}); name one with --name`,
        );
      }
      obj = items[0];
    }
  } catch (e) {
    throw e instanceof KubeStatusError ? e : explain(e);
  }
  const o = obj as { metadata?: { name?: string }; spec?: unknown; status?: unknown };
  return { name: o.metadata?.name ?? t.name ?? '?', namespace, context, spec: o.spec, status: parseWith(StatusSchema, o.status ?? {}, 'RedisShardCluster status') };
}
