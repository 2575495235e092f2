// `redshard-operator kube|local`: the controller as a long-running process.
//   kube  - watches RedisShardCluster resources through the Kubernetes API (in-cluster config, else
//           $KUBECONFIG), with Lease leader election so only one replica acts;
//   local - drives the local-mode state directory (the same reconcile core the `redshard` CLI uses).
// SIGTERM/SIGINT stop watching and release the Lease; losing the Lease exits with status 1 so the
// Deployment restarts the process as a fresh candidate.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createLogger } from '../common/log.js';
import { InvalidInput, parseWith } from '../common/schema.js';
import { Controller } from './controller/controller.js';
import { OperatorMetrics } from './controller/metrics.js';
import { LocalPlatform } from './platform/local/local-platform.js';
import { runKube } from './platform/kube/run.js';
import { startHealthServer, type HealthSource } from './health-server.js';
import type { Platform } from './platform/platform.js';

const USAGE = `usage: redshard-operator kube [--watch-namespace NS] [--lease-namespace NS] [--lease-name NAME]
                              [--no-leader-election] [--metrics-port PORT] [--metrics-bind ADDR]
       redshard-operator local [--dir DIR] [--metrics-port PORT]`;

const FlagsSchema = z.object({
  mode: z.enum(['kube', 'local'], { error: 'the first argument must be kube or local' }),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, '--namespace must be a namespace name').optional(),
  leaseNamespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, '--lease-namespace must be a namespace name').optional(),
  leaseName: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, '--lease-name must be a lower-case object name').max(253),
  leaderElect: z.boolean(),
  dir: z.string().min(1),
  metricsPort: z.coerce.number({ error: '--metrics-port must be a number' }).int().min(0).max(65535).optional(),
  metricsBind: z.string().min(1),
});

export async function main(argv: string[]): Promise<void> {
  let flags: z.infer<typeof FlagsSchema>;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        namespace: { type: 'string' },
        'watch-namespace': { type: 'string' },
        'lease-namespace': { type: 'string' },
        'lease-name': { type: 'string', default: 'redshard-operator' },
        'no-leader-election': { type: 'boolean', default: false },
        'metrics-port': { type: 'string' },
        'metrics-bind': { type: 'string' },
        dir: { type: 'string', default: '.' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    if (positionals.length !== 1) throw new Error('expected exactly one mode');
    flags = parseWith(FlagsSchema, {
      mode: positionals[0],
      namespace: values['watch-namespace'] ?? values.namespace ?? process.env.WATCH_NAMESPACE,
      leaseNamespace: values['lease-namespace'],
      leaseName: values['lease-name'],
      leaderElect: !values['no-leader-election'],
      dir: values.dir,
      metricsPort: values['metrics-port'],
      // In a pod the probes come from the kubelet over the pod address; elsewhere stay on loopback.
      metricsBind: values['metrics-bind'] ?? process.env.POD_IP ?? (process.env.KUBERNETES_SERVICE_HOST ? '0.0.0.0' : '127.0.0.1'),
    }, 'arguments');
  } catch (err) {
    process.stderr.write(`redshard-operator: ${err instanceof InvalidInput || err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const log = createLogger('redshard-operator');
  const metrics = new OperatorMetrics();
  const startController = async (platform: Platform) => {
    const controller = new Controller(platform, log.child({ component: 'controller' }), { metrics });
    await controller.start();
    return () => controller.stop();
  };
  let stop: () => Promise<void>;
  let health: HealthSource;
  if (flags.mode === 'kube') {
    const op = await runKube({
      log, watchNamespace: flags.namespace, leaseNamespace: flags.leaseNamespace, leaseName: flags.leaseName,
      leaderElection: flags.leaderElect, identity: process.env.POD_NAME, startController,
      onLostLeadership: () => {
        log.error('leadership lost; exiting');
        process.exit(1);
      },
    });
    stop = () => op.stop();
    health = { ready: () => true, leader: () => op.isLeader() };
  } else {
    const stopController = await startController(new LocalPlatform(resolve(flags.dir), log.child({ component: 'local-platform' })));
    stop = async () => stopController();
    health = { ready: () => true, leader: () => true };
  }
  const server = flags.metricsPort !== undefined ? await startHealthServer(flags.metricsPort, flags.metricsBind, health, metrics) : null;
  const stopAll = stop;
  stop = async () => {
    server?.close();
    await stopAll();
  };
  log.info({ mode: flags.mode }, 'redshard-operator started');
  await new Promise<void>((done) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'stopping');
      void stop().then(done, done);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  log.flush();
}
