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
import { LocalPlatform } from './platform/local/local-platform.js';
import { runKube } from './platform/kube/run.js';
import type { Platform } from './platform/platform.js';

const USAGE = `usage: redshard-operator kube [--namespace NS] [--lease-namespace NS] [--no-leader-elect]
       redshard-operator local [--dir DIR]`;

const FlagsSchema = z.object({
  mode: z.enum(['kube', 'local'], { error: 'the first argument must be kube or local' }),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, '--namespace must be a namespace name').optional(),
  leaseNamespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, '--lease-namespace must be a namespace name').optional(),
  leaderElect: z.boolean(),
  dir: z.string().min(1),
});

export async function main(argv: string[]): Promise<void> {
  let flags: z.infer<typeof FlagsSchema>;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        namespace: { type: 'string' },
        'lease-namespace': { type: 'string' },
        'no-leader-elect': { type: 'boolean', default: false },
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
      namespace: values.namespace ?? process.env.WATCH_NAMESPACE,
      leaseNamespace: values['lease-namespace'],
      leaderElect: !values['no-leader-elect'],
      dir: values.dir,
    }, 'arguments');
  } catch (err) {
    process.stderr.write(`redshard-operator: ${err instanceof InvalidInput || err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const log = createLogger('redshard-operator');
  const startController = async (platform: Platform) => {
    const controller = new Controller(platform, log.child({ component: 'controller' }));
    await controller.start();
    return () => controller.stop();
  };
  let stop: () => Promise<void>;
  if (flags.mode === 'kube') {
    const op = await runKube({
      log, watchNamespace: flags.namespace, leaseNamespace: flags.leaseNamespace, leaderElection: flags.leaderElect, startController,
      onLostLeadership: () => {
        log.error('leadership lost; exiting');
        process.exit(1);
      },
    });
    stop = () => op.stop();
  } else {
    const stopController = await startController(new LocalPlatform(resolve(flags.dir), log.child({ component: 'local-platform' })));
    stop = async () => stopController();
  }
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
