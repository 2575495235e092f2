#!/usr/bin/env node
// Container health check: the node on this host answers PING. Port from $REDSHARD_PORT (6379).
import net from 'node:net';

const port = Number(process.env.REDSHARD_PORT ?? 6379);
const sock = net.connect({ host: '127.0.0.1', port });
const fail = () => process.exit(1);
sock.setTimeout(2000, fail);
sock.on('error', fail);
sock.on('connect', () => sock.write('PING\r\n'));
sock.on('data', (d) => {
  // +PONG, or -NOAUTH when a password is set: either way the server is serving.
  process.exit(/^(\+PONG|-NOAUTH)/.test(d.toString('latin1')) ? 0 : 1);
});
