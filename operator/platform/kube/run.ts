// Kube mode of redshard-operator: the KubePlatform behind Lease leader election. Only the leader
// runs the controller; a replica that loses the Lease stops acting and tells its caller, which
// exits so that Kubernetes restarts it as a fresh candidate.
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Platform } from '../platform.js';
import { KubePlatform } from './kube-platform.js';
import { LeaderElector } from './leader-election.js';

export interface RunKubeOptions {
  /** Defaults to in-cluster config, else $KUBECONFIG / ~/.kube/config. */
  kc?: KubeConfig;
  /** Watch one namespace only; all namespaces when unset. */
  watchNamespace?: string;
  /** Where the leader Lease lives (default: $POD_NAMESPACE, else "default"). */
  leaseNamespace?: string;
  leaseName?: string;
  identity?: string;
  leaderElection?: boolean;
  log: Logger;
  /** Starts the controller on the platform; resolves to its stop function. */
  startController: (platform: Platform) => Promise<() => void>;
  /** Called when leadership is lost after having been held. */
  onLostLeadership?: () => void;
}

export interface KubeOperator {
  platform: KubePlatform;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

export async function runKube(opts: RunKubeOptions): Promise<KubeOperator> {
  const kc = opts.kc ?? loadKubeConfig();
  const log = opts.log;
  const platform = new KubePlatform({ kc, namespace: opts.watchNamespace, log: log.child({ component: 'kube-platform' }) });
  let stopController: (() => void) | null = null;
  let starting: Promise<void> | null = null;
  let stopping = false;
  const begin = () => {
    starting = opts.startController(platform).then(
      (stop) => {
        stopController = stop;
      },
      (err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'controller failed to start');
        opts.onLostLeadership?.();
      },
    );
  };
  const end = async () => {
    await starting;
    stopController?.();
    stopController = null;
  };
  if (opts.leaderElection === false) {
    begin();
    await starting;
    return { platform, isLeader: () => true, stop: end };
  }
  const elector = new LeaderElector({
    kc,
    namespace: opts.leaseNamespace ?? process.env.POD_NAMESPACE ?? 'default',
    name: opts.leaseName ?? 'redshard-operator',
    identity: opts.identity ?? `${hostname()}-${process.pid}`,
    log: log.child({ component: 'leader-election' }),
    onStartedLeading: begin,
    onStoppedLeading: () => {
      // A deliberate stop hands the Lease back too; only a lost Lease is reported.
      void end().then(() => {
        if (!stopping) opts.onLostLeadership?.();
      });
    },
  });
  elector.start();
  return {
    platform,
    isLeader: () => elector.isLeader(),
    stop: async () => {
      stopping = true;
      await elector.stop();
      await end();
    },
  };
}
