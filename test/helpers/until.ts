// Polling for tests: wait for a condition on a loaded machine without fixed sleeps.

/**
 * Calls f every `everyMs` until it returns a truthy value, and resolves with that value. A throw
 * counts as "not yet" (a server not answering yet); after `timeoutMs` it rejects naming what was
 * awaited and the last error.
 */
export async function until<T>(
  what: string,
  f: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
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
