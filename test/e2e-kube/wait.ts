// Polling helper for tests against the control plane.
export async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastErr ? `: ${String((lastErr as Error).message ?? lastErr)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until a CRD is Established (kubectl wait fails outright while status is still empty). */
export async function crdEstablished(kc: import('@kubernetes/client-node').KubeConfig, name: string, timeoutMs = 30_000): Promise<void> {
  const { ApiextensionsV1Api } = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await until(`CRD ${name} Established`, async () =>
    (await api.readCustomResourceDefinition({ name })).status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), timeoutMs);
}
