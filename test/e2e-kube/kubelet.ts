// The test kubelet: stands in for real kubelets (no container runtime exists here). It registers
// one Node per failure domain, heartbeats their Leases and Ready condition, and runs every pod bound
// to them as local processes, each pod on its own loopback address (127.0.<node>.<n>): container
// commands with resolved env and $(VAR) expansion, readiness/liveness probes, status writes,
// restartPolicy with back-off, graceful deletion, and one log file per container. It also binds
// PersistentVolumeClaims to local hostPath volumes so pods with storage get scheduled.
// Not supported (nothing here needs them): init and sidecar containers, lifecycle hooks, resource
// limits enforcement, hostNetwork/ports, image pulls (an image maps to a local command).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import {
  CoordinationV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type KubeConfig,
  type V1Container,
  type V1ContainerStatus,
  type V1Node,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1PodCondition,
  type V1Probe,
} from '@kubernetes/client-node';
import { ListWatch, errorText } from '../../operator/platform/kube/list-watch.js';
import { ContainerConfigError, commandLine, mapPaths, resolveEnv, type EnvLookups } from './kubelet-env.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface TestKubeletOptions {
  kc: KubeConfig;
  /** Node names, one per failure domain. */
  nodes: string[];
  /** Logs, pod working directories and volumes live here. */
  stateDir: string;
  /** Third octet of the first node's addresses; nodes use consecutive octets. */
  addressBase?: number;
  /** Local program for a container command's first word (e.g. redis-server -> /usr/bin/redis-server). */
  commands?: Record<string, string[]>;
  /** Command for an image whose container sets no command (its entrypoint). */
  images?: Record<string, string[]>;
  heartbeatMs?: number;
  /** Restart back-off: first delay and cap (a real kubelet uses 10 s and 5 min). */
  backoff?: { initialMs: number; maxMs: number };
  log?: (msg: string) => void;
  /**
   * When set, pods with a ServiceAccount get its credentials as a real kubelet mounts them: here a
   * bound token in a kubeconfig named by $KUBECONFIG (the in-cluster Service address routes
   * nowhere on this machine, so the apiserver's own address is used).
   */
  apiServer?: { server: string; caPem: string };
}

interface ContainerRuntime {
  spec: V1Container;
  proc?: ChildProcess;
  restartCount: number;
  startedAt?: Date;
  ready: boolean;
  started: boolean;
  waiting?: { reason: string; message?: string };
  terminated?: { exitCode: number; signal?: string; reason: string; startedAt: Date; finishedAt: Date; message?: string };
  lastTerminated?: ContainerRuntime['terminated'];
  timers: NodeJS.Timeout[];
  probeFailures: { readiness: number; liveness: number };
  probeSuccesses: number;
  backoffMs?: number;
  logFile: string;
}

interface PodRuntime {
  pod: V1Pod;
  uid: string;
  node: string;
  ip: string;
  dir: string;
  startTime: Date;
  containers: Map<string, ContainerRuntime>;
  conditions: Map<string, { status: string; since: Date }>;
  terminating: boolean;
  gone: boolean;
  mounts: { mountPath: string; localDir: string; container?: string }[];
  statusQueued: boolean;
  statusChain: Promise<void>;
  lastStatusJson: string;
  saEnv: Record<string, string>;
}

interface NodeRuntime {
  name: string;
  ip: string;
  octet: number;
  nextHost: number;
  watch?: ListWatch<V1Pod>;
  heartbeating: boolean;
}

export class TestKubelet {
  private readonly core: CoreV1Api;
  private readonly coord: CoordinationV1Api;
  private readonly nodes = new Map<string, NodeRuntime>();
  private readonly pods = new Map<string, PodRuntime>();
  private readonly usedIps = new Set<string>();
  // Kept after a pod is gone, so tests can read what a deleted pod's containers wrote.
  private readonly logFiles = new Map<string, string>();
  private heartbeat?: NodeJS.Timeout;
  private pvcWatch?: ListWatch<V1PersistentVolumeClaim>;
  private stopped = false;
  private readonly log: (msg: string) => void;
  private releaseBase: () => void = () => {};

  constructor(private readonly opts: TestKubeletOptions) {
    this.core = opts.kc.makeApiClient(CoreV1Api);
    this.coord = opts.kc.makeApiClient(CoordinationV1Api);
    this.log = opts.log ?? (() => {});
    let base = opts.addressBase;
    if (base === undefined) {
      const claim = claimAddressBase();
      base = claim.base;
      this.releaseBase = claim.release;
    }
    opts.nodes.forEach((name, i) => {
      const octet = base + i;
      if (octet > 255) throw new Error('too many nodes for the address base');
      this.nodes.set(name, { name, ip: `127.0.${octet}.1`, octet, nextHost: 2, heartbeating: true });
    });
    mkdirSync(opts.stateDir, { recursive: true });
  }

  nodeIp(node: string): string {
    return this.mustNode(node).ip;
  }

  /** The log file of a pod's container (stdout and stderr, appended across restarts). */
  logFile(namespace: string, pod: string, container: string): string | undefined {
    return this.logFiles.get(`${namespace}/${pod}/${container}`);
  }

  /** Pods this kubelet runs, with their addresses. */
  running(): { namespace: string; name: string; node: string; ip: string }[] {
    return [...this.pods.values()].filter((p) => !p.gone).map((p) => ({ namespace: p.pod.metadata?.namespace ?? '', name: p.pod.metadata?.name ?? '', node: p.node, ip: p.ip }));
  }

  async start(): Promise<void> {
    for (const n of this.nodes.values()) await this.registerNode(n);
    for (const n of this.nodes.values()) await this.renewLease(n);
    this.heartbeat = setInterval(() => void this.beat(), this.opts.heartbeatMs ?? 10_000);
    this.pvcWatch = new ListWatch<V1PersistentVolumeClaim>({
      kc: this.opts.kc,
      path: '/api/v1/persistentvolumeclaims',
      list: () => this.core.listPersistentVolumeClaimForAllNamespaces(),
      onEvent: (type, pvc) => {
        if (type !== 'DELETED') void this.provision(pvc);
      },
    });
    this.pvcWatch.start();
    for (const n of this.nodes.values()) this.watchNode(n);
  }

  /** Stops watching and kills every process at once; Node and Pod objects stay as they are. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.releaseBase();
    clearInterval(this.heartbeat);
    this.pvcWatch?.stop();
    for (const n of this.nodes.values()) n.watch?.stop();
    const exits: Promise<void>[] = [];
    for (const p of this.pods.values()) {
      p.gone = true;
      for (const c of p.containers.values()) {
        c.timers.forEach(clearTimeout);
        if (c.proc) exits.push(killAndWait(c.proc, 0));
      }
    }
    await Promise.all(exits);
  }

  /**
   * Simulates losing a Kubernetes node: its processes die and it stops heartbeating, so the
   * control plane marks it NotReady after its grace period.
   */
  async loseNode(node: string): Promise<void> {
    const n = this.mustNode(node);
    n.heartbeating = false;
    n.watch?.stop();
    n.watch = undefined;
    const exits: Promise<void>[] = [];
    for (const [uid, p] of this.pods) {
      if (p.node !== node) continue;
      p.gone = true;
      for (const c of p.containers.values()) {
        c.timers.forEach(clearTimeout);
        if (c.proc) exits.push(killAndWait(c.proc, 0));
      }
      this.usedIps.delete(p.ip);
      this.pods.delete(uid);
    }
    await Promise.all(exits);
  }

  /** Brings a lost node back: Ready again, and it runs the pods bound to it afresh. */
  async recoverNode(node: string): Promise<void> {
    const n = this.mustNode(node);
    n.heartbeating = true;
    await this.renewLease(n);
    await this.postNodeStatus(n);
    this.watchNode(n);
  }

  /** Kills a pod's container process as a crash would (the restart policy applies). */
  crashContainer(namespace: string, pod: string, container?: string): boolean {
    for (const p of this.pods.values()) {
      if (p.pod.metadata?.namespace !== namespace || p.pod.metadata?.name !== pod) continue;
      const c = container ? p.containers.get(container) : p.containers.values().next().value;
      if (c?.proc?.pid) {
        killGroup(c.proc, 'SIGKILL');
        return true;
      }
    }
    return false;
  }

  private mustNode(node: string): NodeRuntime {
    const n = this.nodes.get(node);
    if (!n) throw new Error(`unknown node ${node}`);
    return n;
  }

  // ---- nodes ------------------------------------------------------------------------------

  private nodeConditions(now: string): V1Node['status'] extends infer S ? S extends { conditions?: infer C } ? C : never : never {
    const c = (type: string, status: string, reason: string, message: string) => ({
      type, status, reason, message, lastHeartbeatTime: now as unknown as Date, lastTransitionTime: now as unknown as Date,
    });
    return [
      c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      c('Ready', 'True', 'KubeletReady', 'test kubelet is posting ready status'),
    ];
  }

  private async registerNode(n: NodeRuntime): Promise<void> {
    const now = new Date().toISOString();
    const resources = { cpu: '8', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    const node: V1Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        labels: {
          'kubernetes.io/hostname': n.name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': process.arch === 'arm64' ? 'arm64' : 'amd64',
          'topology.kubernetes.io/zone': n.name,
        },
      },
      spec: {},
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: this.nodeConditions(now),
        addresses: [
          { type: 'InternalIP', address: n.ip },
          { type: 'Hostname', address: n.name },
        ],
        nodeInfo: {
          architecture: process.arch, bootID: n.name, containerRuntimeVersion: 'redshard-test://1', kernelVersion: 'test',
          kubeProxyVersion: '', kubeletVersion: 'v1.36.3', machineID: n.name, operatingSystem: 'linux', osImage: 'redshard test kubelet', systemUUID: n.name,
        },
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      },
    };
    try {
      await this.core.createNode({ body: node });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
      await this.postNodeStatus(n);
    }
  }

  private async postNodeStatus(n: NodeRuntime): Promise<void> {
    const now = new Date().toISOString();
    await this.core.patchNodeStatus({ name: n.name, body: { status: { conditions: this.nodeConditions(now) } } }, merge);
  }

  private async renewLease(n: NodeRuntime): Promise<void> {
    const namespace = 'kube-node-lease';
    const spec = { holderIdentity: n.name, leaseDurationSeconds: 40, renewTime: new V1MicroTime() };
    try {
      await this.coord.patchNamespacedLease({ name: n.name, namespace, body: { spec } }, merge);
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      await this.coord.createNamespacedLease({
        namespace,
        body: {
          metadata: { name: n.name, namespace, ownerReferences: [] },
          spec,
        },
      });
    }
  }

  private async beat(): Promise<void> {
    for (const n of this.nodes.values()) {
      if (!n.heartbeating || this.stopped) continue;
      try {
        await this.renewLease(n);
        await this.postNodeStatus(n);
      } catch (err) {
        this.log(`heartbeat ${n.name}: ${errorText(err)}`);
      }
    }
  }

  // ---- volumes ----------------------------------------------------------------------------

  /** Binds a pending claim to a new hostPath volume under stateDir, as a provisioner would. */
  private async provision(pvc: V1PersistentVolumeClaim): Promise<void> {
    if (this.stopped || pvc.spec?.volumeName || pvc.status?.phase === 'Bound' || !pvc.metadata?.uid) return;
    const dir = join(this.opts.stateDir, 'volumes', pvc.metadata.uid);
    mkdirSync(dir, { recursive: true });
    try {
      await this.core.createPersistentVolume({
        body: {
          metadata: { name: `pv-${pvc.metadata.uid}`, labels: { 'redshard.io/test-kubelet': 'true' } },
          spec: {
            capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
            accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
            storageClassName: pvc.spec?.storageClassName ?? '',
            persistentVolumeReclaimPolicy: 'Retain',
            hostPath: { path: dir },
            claimRef: { namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid },
          },
        },
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) this.log(`provision ${pvc.metadata.name}: ${errorText(err)}`);
    }
  }

  private async prepareVolumes(p: PodRuntime): Promise<void> {
    const ns = p.pod.metadata?.namespace ?? 'default';
    const local = new Map<string, string>();
    for (const v of p.pod.spec?.volumes ?? []) {
      let dir = join(p.dir, 'volumes', v.name);
      if (v.persistentVolumeClaim) {
        const pvc = await this.core.readNamespacedPersistentVolumeClaim({ name: v.persistentVolumeClaim.claimName, namespace: ns });
        if (pvc.metadata?.uid) dir = join(this.opts.stateDir, 'volumes', pvc.metadata.uid);
      } else if (v.hostPath) {
        dir = v.hostPath.path;
      }
      mkdirSync(dir, { recursive: true });
      if (v.secret?.secretName || v.configMap?.name) {
        const data = v.secret?.secretName ? await this.lookups.secret(ns, v.secret.secretName) : await this.lookups.configMap(ns, v.configMap!.name!);
        for (const [k, val] of Object.entries(data ?? {})) writeFileSync(join(dir, k), val);
      }
      local.set(v.name, dir);
    }
    p.mounts = [];
    for (const c of p.pod.spec?.containers ?? []) {
      for (const m of c.volumeMounts ?? []) {
        const dir = local.get(m.name);
        if (dir) p.mounts.push({ mountPath: m.mountPath, localDir: m.subPath ? join(dir, m.subPath) : dir, container: c.name });
      }
    }
  }

  private async mountServiceAccount(p: PodRuntime): Promise<void> {
    const api = this.opts.apiServer;
    const sa = p.pod.spec?.serviceAccountName;
    if (!api || !sa || p.pod.spec?.automountServiceAccountToken === false) return;
    const namespace = p.pod.metadata!.namespace!;
    const tr = await this.core.createNamespacedServiceAccountToken({
      namespace, name: sa,
      body: { spec: { audiences: [], expirationSeconds: 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: p.pod.metadata!.name!, uid: p.uid } } },
    });
    const dir = join(p.dir, 'serviceaccount');
    mkdirSync(dir, { recursive: true });
    const token = tr.status?.token ?? "";
    writeFileSync(join(dir, 'token'), token);
    writeFileSync(join(dir, 'ca.crt'), api.caPem);
    writeFileSync(join(dir, 'namespace'), namespace);
    const ca = Buffer.from(api.caPem).toString('base64');
    writeFileSync(join(dir, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '- name: in-cluster', '  cluster:', `    server: ${api.server}`, `    certificate-authority-data: ${ca}`,
      'users:', `- name: ${sa}`, '  user:', `    token: ${token}`,
      'contexts:', '- name: in-cluster', '  context:', '    cluster: in-cluster', `    user: ${sa}`, `    namespace: ${namespace}`,
      'current-context: in-cluster', '',
    ].join('\n'));
    const url = new URL(api.server);
    p.saEnv = { KUBECONFIG: join(dir, 'kubeconfig'), KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port };
  }

  private readonly lookups: EnvLookups = {
    secret: async (namespace, name) => {
      try {
        const s = await this.core.readNamespacedSecret({ name, namespace });
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
        for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v;
        return out;
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    },
    configMap: async (namespace, name) => {
      try {
        return (await this.core.readNamespacedConfigMap({ name, namespace })).data ?? {};
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    },
  };

  // ---- pods -------------------------------------------------------------------------------

  private watchNode(n: NodeRuntime): void {
    n.watch = new ListWatch<V1Pod>({
      kc: this.opts.kc,
      path: '/api/v1/pods',
      query: { fieldSelector: `spec.nodeName=${n.name}` },
      list: () => this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${n.name}` }),
      onEvent: (type, pod) => this.onPod(n, type, pod),
    });
    n.watch.start();
  }

  private onPod(n: NodeRuntime, type: string, pod: V1Pod): void {
    if (this.stopped || !n.heartbeating) return;
    const uid = pod.metadata?.uid;
    if (!uid) return;
    const known = this.pods.get(uid);
    if (type === 'DELETED') {
      if (known) void this.terminate(known, 0, false);
      return;
    }
    if (known) {
      known.pod = pod;
      if (pod.metadata?.deletionTimestamp && !known.terminating) {
        void this.terminate(known, pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30, true);
      }
      return;
    }
    if (pod.metadata?.deletionTimestamp) {
      // Deleted before it ever ran here: nothing to stop, just let it go.
      void this.finalDelete(pod);
      return;
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    void this.admit(n, pod);
  }

  private allocateIp(n: NodeRuntime): string {
    for (let i = 0; i < 253; i++) {
      const host = n.nextHost;
      n.nextHost = n.nextHost >= 254 ? 2 : n.nextHost + 1;
      const ip = `127.0.${n.octet}.${host}`;
      if (!this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        return ip;
      }
    }
    throw new Error(`no free pod address on ${n.name}`);
  }

  private async admit(n: NodeRuntime, pod: V1Pod): Promise<void> {
    const uid = pod.metadata!.uid!;
    const ip = this.allocateIp(n);
    const dir = join(this.opts.stateDir, 'pods', `${pod.metadata?.namespace}_${pod.metadata?.name}_${uid.slice(0, 8)}`);
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const p: PodRuntime = {
      pod, uid, node: n.name, ip, dir, startTime: new Date(), containers: new Map(), conditions: new Map(),
      terminating: false, gone: false, mounts: [], statusQueued: false, statusChain: Promise.resolve(), lastStatusJson: '', saEnv: {},
    };
    this.pods.set(uid, p);
    // The pod's own address is known before any container starts, as with a real sandbox.
    p.pod = { ...pod, status: { ...pod.status, podIP: ip, podIPs: [{ ip }], hostIP: n.ip, hostIPs: [{ ip: n.ip }] } };
    for (const c of pod.spec?.containers ?? []) {
      p.containers.set(c.name, {
        spec: c, restartCount: 0, ready: false, started: false, timers: [], probeFailures: { readiness: 0, liveness: 0 }, probeSuccesses: 0,
        waiting: { reason: 'ContainerCreating' }, logFile: join(dir, 'logs', `${c.name}.log`),
      });
      this.logFiles.set(`${pod.metadata?.namespace}/${pod.metadata?.name}/${c.name}`, join(dir, 'logs', `${c.name}.log`));
    }
    this.queueStatus(p);
    try {
      await this.prepareVolumes(p);
      await this.mountServiceAccount(p);
    } catch (err) {
      for (const c of p.containers.values()) c.waiting = { reason: 'CreateContainerConfigError', message: errorText(err) };
      this.queueStatus(p);
      return;
    }
    for (const c of p.containers.values()) void this.startContainer(p, c);
  }

  private resolveProgram(argv: string[], image: string): string[] | undefined {
    if (argv.length === 0) {
      const entry = this.opts.images?.[image];
      return entry ? [...entry] : undefined;
    }
    const [first, ...rest] = argv;
    const mapped = this.opts.commands?.[first!] ?? this.opts.commands?.[first!.split('/').pop()!];
    return mapped ? [...mapped, ...rest] : argv;
  }

  private async startContainer(p: PodRuntime, c: ContainerRuntime): Promise<void> {
    if (p.terminating || p.gone) return;
    let env: Map<string, string>;
    try {
      env = await resolveEnv(p.pod, c.spec, this.lookups);
    } catch (err) {
      c.waiting = { reason: 'CreateContainerConfigError', message: err instanceof ContainerConfigError ? err.message : errorText(err) };
      this.queueStatus(p);
      c.timers.push(setTimeout(() => void this.startContainer(p, c), 2_000));
      return;
    }
    const mounts = p.mounts.filter((m) => m.container === c.spec.name);
    for (const [k, v] of env) env.set(k, mapPaths(v, mounts));
    const argv = this.resolveProgram(commandLine(c.spec, env).map((a) => mapPaths(a, mounts)), c.spec.image ?? '');
    if (!argv) {
      c.waiting = { reason: 'CreateContainerError', message: `no local command for image ${c.spec.image} and the container sets none` };
      this.queueStatus(p);
      return;
    }
    const cwd = c.spec.workingDir ? mapPaths(c.spec.workingDir, mounts) : p.dir;
    mkdirSync(cwd, { recursive: true });
    const hostname = p.pod.spec?.hostname ?? p.pod.metadata?.name ?? '';
    const procEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: p.dir, HOSTNAME: hostname, ...p.saEnv, ...Object.fromEntries(env) };
    const out = openSync(c.logFile, 'a');
    let proc: ChildProcess;
    try {
      proc = spawn(argv[0]!, argv.slice(1), { cwd, env: procEnv, detached: true, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    c.proc = proc;
    c.startedAt = new Date();
    c.waiting = undefined;
    c.terminated = undefined;
    c.started = !c.spec.startupProbe;
    c.ready = false;
    c.probeFailures = { readiness: 0, liveness: 0 };
    c.probeSuccesses = 0;
    proc.once('error', (err) => {
      c.waiting = { reason: 'RunContainerError', message: err.message };
      this.queueStatus(p);
    });
    proc.once('exit', (code, signal) => this.onExit(p, c, proc, code, signal));
    this.log(`started ${p.pod.metadata?.namespace}/${p.pod.metadata?.name}/${c.spec.name} on ${p.ip}: ${argv.join(' ')}`);
    this.startProbes(p, c, proc, procEnv, cwd);
    this.queueStatus(p);
  }

  private onExit(p: PodRuntime, c: ContainerRuntime, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (c.proc !== proc) return;
    c.timers.forEach(clearTimeout);
    c.timers = [];
    c.proc = undefined;
    c.ready = false;
    const exitCode = code ?? (signal ? 128 + (signalNumber(signal) ?? 9) : 1);
    c.terminated = {
      exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: c.startedAt ?? new Date(), finishedAt: new Date(),
      ...(signal ? { signal } : {}),
    };
    if (p.terminating || p.gone) return;
    const policy = p.pod.spec?.restartPolicy ?? 'Always';
    const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
    if (!restart) {
      this.queueStatus(p);
      return;
    }
    const b = this.opts.backoff ?? { initialMs: 1_000, maxMs: 10_000 };
    // A container that ran for a while before exiting starts over with the shortest delay.
    const ranLong = Date.now() - (c.startedAt?.getTime() ?? 0) > 60_000;
    c.backoffMs = ranLong || c.backoffMs === undefined ? b.initialMs : Math.min(b.maxMs, c.backoffMs * 2);
    c.lastTerminated = c.terminated;
    c.terminated = undefined;
    c.restartCount++;
    c.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${c.backoffMs} ms restarting failed container` };
    this.queueStatus(p);
    c.timers.push(setTimeout(() => void this.startContainer(p, c), c.backoffMs));
  }

  // ---- probes -----------------------------------------------------------------------------

  private startProbes(p: PodRuntime, c: ContainerRuntime, proc: ChildProcess, env: Record<string, string>, cwd: string): void {
    const alive = () => c.proc === proc && !p.terminating && !p.gone;
    const run = (probe: V1Probe) => this.probe(p, c, probe, env, cwd);
    const loop = (probe: V1Probe, onResult: (ok: boolean) => void) => {
      const tick = async () => {
        if (!alive()) return;
        const gated = probe !== c.spec.startupProbe && !c.started;
        if (!gated) onResult(await run(probe));
        if (alive()) c.timers.push(setTimeout(() => void tick(), (probe.periodSeconds ?? 10) * 1000));
      };
      c.timers.push(setTimeout(() => void tick(), (probe.initialDelaySeconds ?? 0) * 1000));
    };
    if (c.spec.startupProbe) {
      const sp = c.spec.startupProbe;
      let failures = 0;
      loop(sp, (ok) => {
        if (c.started) return;
        if (ok) {
          c.started = true;
          if (!c.spec.readinessProbe) c.ready = true;
          this.queueStatus(p);
        } else if (++failures >= (sp.failureThreshold ?? 3)) {
          killGroup(proc, 'SIGKILL');
        }
      });
    }
    if (c.spec.readinessProbe) {
      const rp = c.spec.readinessProbe;
      loop(rp, (ok) => {
        if (ok) {
          c.probeFailures.readiness = 0;
          if (!c.ready && ++c.probeSuccesses >= (rp.successThreshold ?? 1)) {
            c.ready = true;
            this.queueStatus(p);
          }
        } else {
          c.probeSuccesses = 0;
          if (c.ready && ++c.probeFailures.readiness >= (rp.failureThreshold ?? 3)) {
            c.ready = false;
            this.queueStatus(p);
          }
        }
      });
    } else if (!c.spec.startupProbe) {
      c.ready = true;
    }
    if (c.spec.livenessProbe) {
      const lp = c.spec.livenessProbe;
      loop(lp, (ok) => {
        if (ok) c.probeFailures.liveness = 0;
        else if (++c.probeFailures.liveness >= (lp.failureThreshold ?? 3)) {
          this.log(`liveness failed: restarting ${p.pod.metadata?.name}/${c.spec.name}`);
          void killAndWait(proc, p.pod.spec?.terminationGracePeriodSeconds ?? 30);
        }
      });
    }
  }

  private portOf(c: V1Container, port: number | string): number {
    if (typeof port === 'number') return port;
    if (/^\d+$/.test(port)) return Number(port);
    return c.ports?.find((p) => p.name === port)?.containerPort ?? 0;
  }

  private probe(p: PodRuntime, c: ContainerRuntime, probe: V1Probe, env: Record<string, string>, cwd: string): Promise<boolean> {
    const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
    if (probe.tcpSocket) {
      const port = this.portOf(c.spec, probe.tcpSocket.port);
      return new Promise((done) => {
        const s = net.connect({ host: probe.tcpSocket!.host ?? p.ip, port });
        const t = setTimeout(() => finish(false), timeoutMs);
        const finish = (ok: boolean) => {
          clearTimeout(t);
          s.destroy();
          done(ok);
        };
        s.once('connect', () => finish(true));
        s.once('error', () => finish(false));
      });
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const port = this.portOf(c.spec, g.port);
      return new Promise((done) => {
        const req = http.get({ host: g.host ?? p.ip, port, path: g.path ?? '/', timeout: timeoutMs }, (res) => {
          res.resume();
          done((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
        });
        req.on('error', () => done(false));
        req.on('timeout', () => req.destroy());
      });
    }
    if (probe.exec?.command?.length) {
      const mounts = p.mounts.filter((m) => m.container === c.spec.name);
      const argv = this.resolveProgram(probe.exec.command.map((a) => mapPaths(a, mounts)), c.spec.image ?? '') ?? [];
      return new Promise((done) => {
        const proc = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: 'ignore', timeout: timeoutMs, killSignal: 'SIGKILL' });
        proc.once('error', () => done(false));
        proc.once('exit', (code) => done(code === 0));
      });
    }
    return Promise.resolve(false);
  }

  // ---- deletion ---------------------------------------------------------------------------

  private async terminate(p: PodRuntime, graceSeconds: number, thenDelete: boolean): Promise<void> {
    if (p.terminating && thenDelete) return;
    p.terminating = true;
    const exits: Promise<void>[] = [];
    for (const c of p.containers.values()) {
      c.timers.forEach(clearTimeout);
      c.timers = [];
      if (c.proc) exits.push(killAndWait(c.proc, graceSeconds));
    }
    await Promise.all(exits);
    p.gone = true;
    this.usedIps.delete(p.ip);
    this.pods.delete(p.uid);
    if (thenDelete) await this.finalDelete(p.pod);
    rmSync(join(p.dir, 'volumes'), { recursive: true, force: true });
  }

  private async finalDelete(pod: V1Pod): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({
        name: pod.metadata!.name!,
        namespace: pod.metadata!.namespace!,
        body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata!.uid! } },
      });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== 404 && code !== 409) this.log(`delete ${pod.metadata?.name}: ${errorText(err)}`);
    }
  }

  // ---- status -----------------------------------------------------------------------------

  private queueStatus(p: PodRuntime): void {
    if (p.statusQueued) return;
    p.statusQueued = true;
    p.statusChain = p.statusChain.then(async () => {
      await new Promise((r) => setImmediate(r));
      p.statusQueued = false;
      if (p.gone || p.terminating || this.stopped) return;
      const status = this.podStatus(p);
      const json = JSON.stringify(status);
      if (json === p.lastStatusJson) return;
      try {
        await this.core.patchNamespacedPodStatus({ name: p.pod.metadata!.name!, namespace: p.pod.metadata!.namespace!, body: { status } }, merge);
        p.lastStatusJson = json;
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code !== 404) {
          this.log(`status ${p.pod.metadata?.name}: ${errorText(err)}`);
          setTimeout(() => this.queueStatus(p), 1_000);
        }
      }
    });
  }

  private condition(p: PodRuntime, type: string, value: boolean): V1PodCondition {
    const status = value ? 'True' : 'False';
    const prev = p.conditions.get(type);
    if (!prev || prev.status !== status) p.conditions.set(type, { status, since: new Date() });
    const since = p.conditions.get(type)!.since;
    return { type, status, lastTransitionTime: since.toISOString() as unknown as Date, lastProbeTime: null as unknown as Date };
  }

  private podStatus(p: PodRuntime): NonNullable<V1Pod['status']> {
    const containers = [...p.containers.values()];
    const allReady = containers.every((c) => c.ready && c.proc);
    const policy = p.pod.spec?.restartPolicy ?? 'Always';
    let phase = 'Running';
    if (containers.some((c) => c.waiting?.reason === 'ContainerCreating' || c.waiting?.reason === 'CreateContainerConfigError')) phase = 'Pending';
    if (policy !== 'Always' && containers.every((c) => c.terminated)) {
      phase = containers.every((c) => c.terminated!.exitCode === 0) ? 'Succeeded' : policy === 'Never' || containers.some((c) => c.terminated!.exitCode !== 0) ? 'Failed' : 'Running';
    }
    const iso = (d: Date) => d.toISOString() as unknown as Date;
    const term = (t: NonNullable<ContainerRuntime['terminated']>) => ({
      exitCode: t.exitCode, reason: t.reason, startedAt: iso(t.startedAt), finishedAt: iso(t.finishedAt), containerID: `redshard-test://${p.uid}`,
      ...(t.signal ? { signal: signalNumber(t.signal) ?? 9 } : {}),
    });
    const statuses: V1ContainerStatus[] = containers.map((c) => ({
      name: c.spec.name,
      image: c.spec.image ?? '',
      imageID: `redshard-test://${c.spec.image ?? ''}`,
      containerID: `redshard-test://${p.uid.slice(0, 8)}-${c.spec.name}-${c.restartCount}`,
      ready: c.ready && !!c.proc,
      started: !!c.proc && c.started,
      restartCount: c.restartCount,
      state: c.proc && c.startedAt
        ? { running: { startedAt: iso(c.startedAt) } }
        : c.terminated
          ? { terminated: term(c.terminated) as never }
          : { waiting: { reason: c.waiting?.reason ?? 'ContainerCreating', ...(c.waiting?.message ? { message: c.waiting.message } : {}) } },
      lastState: c.lastTerminated ? { terminated: term(c.lastTerminated) as never } : {},
    }));
    const node = this.nodes.get(p.node)!;
    return {
      phase,
      hostIP: node.ip,
      hostIPs: [{ ip: node.ip }],
      podIP: p.ip,
      podIPs: [{ ip: p.ip }],
      startTime: iso(p.startTime),
      qosClass: p.pod.status?.qosClass,
      conditions: [
        this.condition(p, 'PodReadyToStartContainers', true),
        this.condition(p, 'Initialized', true),
        this.condition(p, 'ContainersReady', allReady),
        this.condition(p, 'Ready', allReady),
        this.condition(p, 'PodScheduled', true),
      ],
      containerStatuses: statuses,
    };
  }
}

/**
 * Each test kubelet on the machine takes its own block of 20 address octets (127.0.<base..base+19>.x)
 * through a lock file, so suites run at the same time (several engineers, parallel files) never
 * hand two pods the same address and port 6379. A lock left by a dead process is taken over.
 */
function claimAddressBase(): { base: number; release: () => void } {
  const dir = join(tmpdir(), 'redshard-test-kubelet-addresses');
  mkdirSync(dir, { recursive: true });
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1);
  for (let i = 0; i < 12; i++) {
    const base = 10 + ((worker + i) % 12) * 20;
    const lock = join(dir, `${base}.lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(lock, String(process.pid), { flag: 'wx' });
        return {
          base,
          release: () => {
            try {
              if (readFileSync(lock, 'utf8') === String(process.pid)) unlinkSync(lock);
            } catch {
              // already gone
            }
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(lock, 'utf8'));
        if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) break;
        rmSync(lock, { force: true });
      }
    }
  }
  throw new Error('every test kubelet address block is in use');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}

function killAndWait(proc: ChildProcess, graceSeconds: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const t = setTimeout(() => killGroup(proc, 'SIGKILL'), Math.max(0, graceSeconds) * 1000);
    proc.once('exit', () => {
      clearTimeout(t);
      done();
    });
    killGroup(proc, graceSeconds > 0 ? 'SIGTERM' : 'SIGKILL');
  });
}

function signalNumber(signal: string): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGABRT: 6, SIGSEGV: 11 } as Record<string, number>)[signal];
}
