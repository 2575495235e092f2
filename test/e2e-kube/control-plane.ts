// A real Kubernetes control plane for tests: etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler built from their Go modules (scripts/k8s/build.sh, cached per version), started on
// 127.0.0.1 with certificates and tokens made at start, and stopped by process group.
// This stands in for kind on machines without Docker; nothing routes Service IPs here.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const K8S_VERSION = process.env.REDSHARD_K8S_VERSION ?? 'v1.36.3';
const CACHE = process.env.REDSHARD_K8S_CACHE ?? join(homedir(), '.cache', 'redshard', 'k8s');
export const BIN_DIR = join(CACHE, K8S_VERSION, 'bin');
const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'helm'];

export function binariesPresent(): boolean {
  return BINARIES.every((b) => existsSync(join(BIN_DIR, b)));
}

/** Builds the binaries when missing (about 5 min cold on 2 cores) and returns their directory. */
export function ensureBinaries(): string {
  if (binariesPresent()) return BIN_DIR;
  execFileSync('bash', [join(ROOT, 'scripts', 'k8s', 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  return BIN_DIR;
}

export interface ControlPlane {
  readonly dir: string;
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly token: string;
  readonly caPem: string;
  kubeConfig(): KubeConfig;
  /** Runs the cached kubectl against this plane and returns stdout. */
  kubectl(args: string[], input?: string): string;
  stop(): Promise<void>;
}

interface Component {
  name: string;
  proc: ChildProcess;
}

const live = new Set<Component>();
process.on('exit', () => {
  for (const c of live) killGroup(c.proc, 'SIGKILL');
});

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}

async function stopComponent(c: Component): Promise<void> {
  live.delete(c);
  const { proc } = c;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((done) => {
    const t = setTimeout(() => killGroup(proc, 'SIGKILL'), 5_000);
    proc.once('exit', () => {
      clearTimeout(t);
      done();
    });
    killGroup(proc, 'SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA and a serving certificate for 127.0.0.1, plus the service-account signing key pair. */
function makeCerts(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3', '-subj', '/CN=redshard-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  openssl(dir, ['req', '-x509', ...ec, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-keyout', 'apiserver.key', '-out', 'apiserver.crt',
    '-days', '3', '-subj', '/CN=kube-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc',
    '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', '-addext', 'extendedKeyUsage=serverAuth']);
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(join(dir, 'sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
}

function kubeconfigYaml(server: string, caPem: string, user: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: redshard-test', '  cluster:', `    server: ${server}`, `    certificate-authority-data: ${ca}`,
    'users:', `- name: ${user}`, '  user:', `    token: ${token}`,
    'contexts:', '- name: redshard-test', '  context:', '    cluster: redshard-test', `    user: ${user}`,
    'current-context: redshard-test', '',
  ].join('\n');
}

function get(url: string, opts: { ca?: string; token?: string; insecure?: boolean }): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet) => {
    const req = https.get(url, {
      ca: opts.ca,
      rejectUnauthorized: !opts.insecure,
      headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
      timeout: 2_000,
    }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolveGet({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, components: Component[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const c of components) {
      if (c.proc.exitCode !== null) throw new Error(`${c.name} exited with ${c.proc.exitCode} while waiting for ${what}`);
    }
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface StartOptions {
  /** Keep the working directory (logs, certs) after stop; default: removed. */
  keepDir?: boolean;
  timeoutMs?: number;
  /** Extra flags per component, e.g. { 'kube-controller-manager': ['--node-monitor-grace-period=8s'] }. */
  extraArgs?: Partial<Record<'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler', string[]>>;
}

/** Starts a fresh plane (about 4 s) and resolves once it schedules pods and has the default ServiceAccount. */
export async function startControlPlane(opts: StartOptions = {}): Promise<ControlPlane> {
  const bin = ensureBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'redshard-k8s-'));
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  makeCerts(dir);
  const caPem = readFileSync(join(dir, 'ca.crt'), 'utf8');
  const tok = () => randomBytes(16).toString('hex');
  const adminToken = tok();
  const kcmToken = tok();
  const schedToken = tok();
  writeFileSync(join(dir, 'tokens.csv'), [
    `${adminToken},redshard-admin,uid-admin,"system:masters"`,
    `${kcmToken},system:kube-controller-manager,uid-kcm,""`,
    `${schedToken},system:kube-scheduler,uid-sched,""`,
    '',
  ].join('\n'));
  const [etcdPort, peerPort, apiPort, kcmPort, schedPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfigPath = join(dir, 'admin.kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml(server, caPem, 'redshard-admin', adminToken));
  writeFileSync(join(dir, 'kcm.kubeconfig'), kubeconfigYaml(server, caPem, 'system:kube-controller-manager', kcmToken));
  writeFileSync(join(dir, 'scheduler.kubeconfig'), kubeconfigYaml(server, caPem, 'system:kube-scheduler', schedToken));

  const components: Component[] = [];
  const launch = (name: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler', baseArgs: string[]): Component => {
    const args = [...baseArgs, ...(opts.extraArgs?.[name] ?? [])];
    const out = openSync(join(logs, `${name}.log`), 'a');
    const proc = spawn(join(bin, name), args, { cwd: dir, detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    const c = { name, proc };
    components.push(c);
    live.add(c);
    return c;
  };
  const stopAll = async () => {
    for (const c of [...components].reverse()) await stopComponent(c);
    if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    launch('etcd', [
      '--name=default', `--data-dir=${join(dir, 'etcd')}`, `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`, `--initial-cluster=default=${peerUrl}`,
      '--unsafe-no-fsync=true', '--log-level=warn',
    ]);
    launch('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', `--secure-port=${apiPort}`, '--advertise-address=127.0.0.1',
      '--tls-cert-file=apiserver.crt', '--tls-private-key-file=apiserver.key', '--client-ca-file=ca.crt',
      '--token-auth-file=tokens.csv', '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local', '--service-account-key-file=sa.pub',
      '--service-account-signing-key-file=sa.key', '--service-cluster-ip-range=10.96.0.0/24', '--endpoint-reconciler-type=none',
    ]);
    const timeoutMs = opts.timeoutMs ?? 60_000;
    await waitFor('kube-apiserver /readyz', async () => (await get(`${server}/readyz`, { ca: caPem, token: adminToken })).status === 200, components, timeoutMs);
    launch('kube-controller-manager', [
      '--kubeconfig=kcm.kubeconfig', '--bind-address=127.0.0.1', `--secure-port=${kcmPort}`, '--leader-elect=false',
      '--service-account-private-key-file=sa.key', '--root-ca-file=ca.crt', '--use-service-account-credentials=true',
      '--kube-api-qps=200', '--kube-api-burst=400',
      // Loopback pod IPs are refused by EndpointSlices; these controllers would only log errors.
      '--controllers=*,-endpointslice-controller,-endpoints-controller,-endpointslice-mirroring-controller',
    ]);
    launch('kube-scheduler', ['--kubeconfig=scheduler.kubeconfig', '--bind-address=127.0.0.1', `--secure-port=${schedPort}`, '--leader-elect=false']);
    const healthy = async (port: number) => (await get(`https://127.0.0.1:${port}/healthz`, { insecure: true })).status === 200;
    await waitFor('controller-manager and scheduler /healthz', async () => (await healthy(kcmPort)) && (await healthy(schedPort)), components, timeoutMs);
    await waitFor('default ServiceAccount', async () =>
      (await get(`${server}/api/v1/namespaces/default/serviceaccounts/default`, { ca: caPem, token: adminToken })).status === 200, components, timeoutMs);
  } catch (err) {
    const tails = components.map((c) => `--- ${c.name}\n${tail(join(logs, `${c.name}.log`))}`).join('\n');
    await stopAll();
    throw new Error(`${(err as Error).message}\n${tails}`);
  }

  let stopped: Promise<void> | undefined;
  return {
    dir,
    server,
    kubeconfigPath,
    token: adminToken,
    caPem,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    },
    kubectl(args, input) {
      return execFileSync(join(bin, 'kubectl'), [`--kubeconfig=${kubeconfigPath}`, ...args], {
        encoding: 'utf8', input, timeout: 60_000, stdio: ['pipe', 'pipe', 'pipe'],
      });
    },
    stop() {
      stopped ??= stopAll();
      return stopped;
    },
  };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}
