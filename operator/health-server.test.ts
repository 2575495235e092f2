import { expect, test } from 'vitest';
import { renderMetrics, startHealthServer } from './health-server.js';

test('metrics text names each gauge with HELP and TYPE', () => {
  const text = renderMetrics({ ready: true, leader: false, startedAt: 1_700_000_000_500 });
  expect(text).toContain('# TYPE redshard_operator_leader gauge\nredshard_operator_leader 0\n');
  expect(text).toContain('redshard_operator_ready 1\n');
  expect(text).toContain('redshard_operator_start_time_seconds 1700000000\n');
});

test('healthz, readyz and metrics over HTTP', async () => {
  let ready = false;
  const server = await startHealthServer(0, '127.0.0.1', { ready: () => ready, leader: () => true });
  const port = (server.address() as { port: number }).port;
  try {
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('redshard_operator_leader 1');
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  } finally {
    server.close();
  }
});
