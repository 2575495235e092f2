// The operator's HTTP endpoints for Kubernetes and Prometheus: /healthz (the process serves),
// /readyz (watches are running: a standby replica is ready too, it just does not lead), and
// /metrics in the Prometheus text format.
import http from 'node:http';

export interface HealthSource {
  ready(): boolean;
  leader(): boolean;
}

/** Prometheus text exposition of the operator's own gauges (pure). */
export function renderMetrics(s: { ready: boolean; leader: boolean; startedAt: number }): string {
  return [
    '# HELP redshard_operator_leader 1 when this replica holds the leader Lease.',
    '# TYPE redshard_operator_leader gauge',
    `redshard_operator_leader ${s.leader ? 1 : 0}`,
    '# HELP redshard_operator_ready 1 when the operator watches its resources.',
    '# TYPE redshard_operator_ready gauge',
    `redshard_operator_ready ${s.ready ? 1 : 0}`,
    '# HELP redshard_operator_start_time_seconds Start time of the process since the epoch.',
    '# TYPE redshard_operator_start_time_seconds gauge',
    `redshard_operator_start_time_seconds ${Math.floor(s.startedAt / 1000)}`,
    '',
  ].join('\n');
}

/** The controller's metrics (prom-client registry), appended after the operator's own gauges. */
export interface MetricsSource {
  text(): Promise<string>;
  readonly contentType: string;
}

export function startHealthServer(port: number, host: string, source: HealthSource, metrics?: MetricsSource): Promise<http.Server> {
  const startedAt = Date.now();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ok = source.ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
    } else if (path === '/metrics') {
      const own = renderMetrics({ ready: source.ready(), leader: source.leader(), startedAt });
      if (!metrics) return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(own);
      metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(own + text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
