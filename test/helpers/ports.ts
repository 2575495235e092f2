// Free loopback ports for test servers. Test files run in parallel worker processes, so a port
// is reserved machine-wide with an exclusive lock file before use (checking that a port is free
// is not enough: two workers may check the same port at once). Locks of dead processes are reused.
import net from 'node:net';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCKS = join(tmpdir(), 'redshard-test-ports');
mkdirSync(LOCKS, { recursive: true });
const mine: string[] = [];
process.on('exit', () => {
  for (const f of mine) rmSync(f, { force: true });
});

// Client ports 12000-21999 and bus ports (+10000) 22000-31999: the two ranges never overlap (a
// client port reserved by one worker cannot be the bus port of another), and both stay below
// Linux's ephemeral range (32768+):
// an outgoing connection's source port once took a bus port between the check and the bind.
// Start somewhere different per process so that workers rarely contend for the same locks.
const FIRST = 12000;
const END = 22000;
let next = FIRST + (process.pid % 100) * 100;

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function reserve(port: number): boolean {
  const file = join(LOCKS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      mine.push(file);
      return true;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(file, 'utf8'));
      } catch {
        /* vanished meanwhile: retry */
      }
      if (owner !== 0 && alive(owner)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

/** A port free on host, whose bus port (port + 10000) is free too, reserved for this process. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const p = next++;
    if (next >= END) next = FIRST;
    if (!reserve(p)) continue;
    if ((await isFree(p, host)) && (await isFree(p + 10000, host))) return p;
  }
}
