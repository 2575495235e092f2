// OBJECT ENCODING on both sides of a differential test. Our node reports encodings through
// DEBUG OBJECT (OBJECT is not implemented yet), redis-server through OBJECT ENCODING (its DEBUG
// command is disabled by default).
import { RawClient } from './raw-client.js';
import type { ServerProcess } from './processes.js';

/**
 * Runs steps and collects the encoding of the key after each "?" step: OBJECT ENCODING on
 * redis-server, DEBUG OBJECT's encoding field on our node.
 */
export async function encodingsOf(server: ServerProcess, steps: string[][]): Promise<string[]> {
  const c = await RawClient.connect(server.port, server.host);
  try {
    await c.call('FLUSHALL');
    const out: string[] = [];
    for (const st of steps) {
      if (st[0] !== '?') {
        await c.call(...st);
        continue;
      }
      if (server.kind === 'redis') out.push(`${st[1]} ${(await c.call('OBJECT', 'ENCODING', st[1]!)).split('\r\n')[1]}`);
      else out.push(`${st[1]} ${/encoding:(\S+)/.exec(await c.call('DEBUG', 'OBJECT', st[1]!))?.[1]}`);
    }
    return out;
  } finally {
    c.close();
  }
}
