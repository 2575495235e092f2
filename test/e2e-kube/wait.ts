// Waits for the control plane's own objects.
import { until } from '../helpers/until.js';

/** Waits until a CRD is Established (kubectl wait fails outright while status is still empty). */
export async function crdEstablished(kc: import('@kubernetes/client-node').KubeConfig, name: string, timeoutMs = 30_000): Promise<void> {
  const { ApiextensionsV1Api } = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await until(`CRD ${name} Established`, async () =>
    (await api.readCustomResourceDefinition({ name })).status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), timeoutMs);
}
