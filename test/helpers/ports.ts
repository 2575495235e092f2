// Free loopback ports for test servers. Ports are taken from a range per worker so that parallel
// test files never race for the same port, and checked free before use.
import net from 'node:net';

const workerId = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1);
// Keep port + 10000 (the cluster bus) below 65536 and clear of the ephemeral range's usual start.
let next = 20000 + ((workerId * 1543) % 40) * 500;

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A port free on host, whose bus port (port + 10000) is free too. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const p = next++;
    if (next >= 40000) next = 20000;
    if ((await isFree(p, host)) && (await isFree(p + 10000, host))) return p;
  }
}
