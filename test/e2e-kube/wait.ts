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
