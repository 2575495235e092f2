#!/usr/bin/env node
// Container health check: the node answers PING where it serves clients. Its port and addresses
// come from its own command line (and config file), read from /proc and resolved as the node
// resolved them at startup (node/config/startup-target.ts): the container's main process, pid 1
// (also with `docker run --init`, whose init keeps the node's arguments), or the process
// REDSHARD_HEALTHCHECK_PID names.
import { readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { clientAddresses, nodeArguments, splitCmdline } from '../dist/node/config/startup-target.js';

const fail = () => process.exit(1);
const pid = process.env.REDSHARD_HEALTHCHECK_PID || '1';
let targets;
try {
  const argv = splitCmdline(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
  try {
    // A config file given by a relative path is relative to the node's working directory.
    process.chdir(readlinkSync(`/proc/${pid}/cwd`));
  } catch {
    // Not ours to read (another user): the check runs in the image's WORKDIR, as the node does.
  }
  targets = clientAddresses(nodeArguments(argv) ?? []);
} catch {
  fail();
}
setTimeout(fail, 2000).unref();

/** Tries the addresses in turn; only a refused connection moves on to the next one. */
function probe(i) {
  if (i >= targets.length) return fail();
  const sock = net.connect(targets[i]);
  sock.on('error', () => {
    sock.destroy();
    probe(i + 1);
  });
  sock.on('connect', () => sock.write('PING\r\n'));
  sock.on('data', (d) => {
    // +PONG, or -NOAUTH when a password is set: either way the server is serving.
    process.exit(/^(\+PONG|-NOAUTH)/.test(d.toString('latin1')) ? 0 : 1);
  });
}
probe(0);
