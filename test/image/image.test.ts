// The container image without a Docker engine: the Dockerfile is read for what the issue asks
// (multi-stage on node:24-slim, non-root, two entrypoints, HEALTHCHECK, labels, SIGTERM), every
// file it copies must exist after `npm run build`, and the image's runtime layout is rebuilt in a
// temporary directory (/app with production dependencies only, the /usr/local/bin links, /data)
// where the entrypoints run with the image's command lines, environment and working directory,
// as the image's uid 1000 when this test runs as root. The node entrypoint must pass the HEALTHCHECK while serving (on the
// port its command line or config file gives, whatever the environment says) and fail it when stopped, and SIGTERM must leave nodes.conf and the append-only file complete on disk. The
// operator entrypoint runs with the command line the Helm chart renders, against the test
// control plane, and serves its probes.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binariesPresent, startControlPlane, type ControlPlane } from '../e2e-kube/control-plane.js';
import { freePort } from '../helpers/ports.js';
import { ROOT } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/until.js';
import { copiesOf, last, pairs, parseDockerfile, type Stage } from './dockerfile.js';

const { stages } = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1)!;
const build = stages.find((s) => s.name === 'build')!;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
/** The image's `node` user; the chart's pods run as it too (runAsUser: 1000). */
const IMAGE_UID = 1000;
const asImageUser = process.getuid?.() === 0;


/** Image paths -> paths under the temporary root. */
let root: string;
const at = (imagePath: string) => join(root, imagePath);

/** Rebuilds the runtime stage's file system: its COPYs, WORKDIRs and the `ln -s` links of RUN. */
function assembleRuntime(stage: Stage): void {
  const buildWorkdir = last(build, 'WORKDIR')!.rest;
  let workdir = '/';
  for (const i of stage.instructions) {
    if (i.op === 'WORKDIR') {
      workdir = i.rest;
      mkdirSync(at(workdir), { recursive: true });
    } else if (i.op === 'COPY') {
      const c = copiesOf({ ...stage, instructions: [i] })[0]!;
      for (const src of c.sources) {
        // The build stage's WORKDIR is the build context with `npm ci` and `tsc` run in it: here
        // that is this checkout after `npm run build`.
        const from = c.from ? join(ROOT, src.replace(new RegExp(`^${buildWorkdir}/?`), '')) : join(ROOT, src);
        const to = join(at(workdir), c.dest);
        mkdirSync(dirname(to), { recursive: true });
        // node_modules as the build stage leaves it: production dependencies only (see below).
        if (src.endsWith('node_modules')) renameSync(prodModules(), to);
        else cpSync(from, to, { recursive: true });
      }
    } else if (i.op === 'RUN') {
      for (const m of i.rest.matchAll(/ln -s (\S+) (\S+)/g)) {
        mkdirSync(dirname(at(m[2]!)), { recursive: true });
        symlinkSync(at(m[1]!), at(m[2]!));
      }
      for (const m of i.rest.matchAll(/mkdir -p (\S+)/g)) mkdirSync(at(m[1]!), { recursive: true });
    }
  }
}

/**
 * What `npm ci` + `npm prune --omit=dev` leave in the build stage, made the same way from the lock
 * file: `npm ci --omit=dev`, offline from the npm cache the project's own `npm ci` filled.
 */
function prodModules(): string {
  const dir = join(root, 'build-src');
  mkdirSync(dir);
  for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(dir, f));
  const r = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`npm ci --omit=dev failed: ${r.stderr}`);
  return join(dir, 'node_modules');
}

/** The image's environment, with PATH finding the links in /usr/local/bin and this Node 24. */
function imageEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(pairs(runtime, 'ENV')), PATH: `${at('/usr/local/bin')}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: at('/data'), ...extra };
}

/** Runs a program the way the image would: the first word looked up on its PATH. */
function runAsImage(argv: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): ChildProcess {
  const [cmd, ...args] = argv;
  const file = cmd!.startsWith('/') ? at(cmd!) : cmd!;
  const p = spawn(file, args.map((a) => (a.startsWith('/app/') ? at(a) : a)), {
    cwd: opts.cwd ?? at(last(runtime, 'WORKDIR')!.rest),
    env: imageEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asImageUser ? { uid: IMAGE_UID, gid: IMAGE_UID } : {}),
  });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  (p as ChildProcess & { out: () => string }).out = () => out;
  return p;
}
const outputOf = (p: ChildProcess) => (p as ChildProcess & { out?: () => string }).out?.() ?? '';

function exited(p: ChildProcess, timeoutMs = 15_000): Promise<number | string | null> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode ?? p.signalCode);
  return new Promise((resolveExit, reject) => {
    const t = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms: ${outputOf(p)}`)), timeoutMs);
    p.once('exit', (code, signal) => {
      clearTimeout(t);
      resolveExit(code ?? signal);
    });
  });
}

const started: ChildProcess[] = [];
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'redshard-image-'));
  chmodSync(root, 0o755);
  assembleRuntime(runtime);
  if (asImageUser) chownSync(at('/data'), IMAGE_UID, IMAGE_UID);
});
afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('Dockerfile', () => {
  it('is multi-stage on node:24-slim, runs as a non-root user, with labels, HEALTHCHECK and SIGTERM', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.from).toBe('node:24-slim');
    // The runtime stage compiles nothing: no dev dependencies, no TypeScript sources.
    expect(copiesOf(runtime).flatMap((c) => c.sources)).not.toContain('node');
    const user = last(runtime, 'USER')?.rest;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const labels = pairs(runtime, 'LABEL');
    for (const k of ['title', 'description', 'version', 'licenses']) expect(labels.get(`org.opencontainers.image.${k}`), k).toBeTruthy();
    expect(labels.get('org.opencontainers.image.licenses')).toBe('BSD-3-Clause');
    const hc = last(runtime, 'HEALTHCHECK')!;
    expect(hc.rest).toMatch(/--interval=\d+s .*CMD \[/);
    expect(last(runtime, 'STOPSIGNAL')?.rest).toBe('SIGTERM');
    // The entrypoint is the program itself (exec form, no shell) so that SIGTERM reaches it.
    expect(last(runtime, 'ENTRYPOINT')!.exec).toEqual(['redshard-node']);
    expect(last(runtime, 'CMD')!.exec).toEqual(['--port', '6379', '--dir', '/data']);
  });

  it('copies only files that exist after the build, none of them excluded by .dockerignore', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const c of copiesOf(build)) {
      for (const src of c.sources) {
        expect(existsSync(join(ROOT, src)), `build stage COPY ${src}`).toBe(true);
        expect(ignored.filter((p) => src === p || src.startsWith(`${p}/`)), `${src} in .dockerignore`).toEqual([]);
      }
    }
    for (const c of copiesOf(runtime)) {
      for (const src of c.sources) {
        const local = c.from ? src.replace(/^\/src\/?/, '') : src;
        expect(existsSync(join(ROOT, local)), `runtime COPY ${c.from ? `--from=${c.from} ` : ''}${src}`).toBe(true);
      }
    }
    // The entrypoints the links point at, and what they import from the build.
    for (const bin of ['redshard-node', 'redshard-operator', 'redshard']) {
      const link = at(`/usr/local/bin/${bin}`);
      expect(existsSync(link), link).toBe(true);
      expect(statSync(link).mode & 0o111, `${bin} is executable`).not.toBe(0);
    }
    for (const f of ['dist/node/main.js', 'dist/operator/main.js', 'dist/operator/cli/main.js', 'bin/healthcheck.js', 'crds/redshard.io_redisshardclusters.yaml']) {
      expect(existsSync(at(`/app/${f}`)), f).toBe(true);
    }
  });

  it('needs no dev dependency at run time (the build stage prunes them)', () => {
    const builtins = new Set(builtinModules);
    const wanted = new Set<string>();
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.js') && !e.name.endsWith('.test.js') && !p.includes('/scripts/')) {
          for (const m of readFileSync(p, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'".][^'"]*)['"]/g)) {
            const spec = m[1]!;
            if (spec.startsWith('node:') || builtins.has(spec)) continue;
            wanted.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
          }
        }
      }
    };
    walk(at('/app/dist'));
    walk(at('/app/bin'));
    expect([...wanted].filter((w) => !(w in pkg.dependencies)).sort()).toEqual([]);
    expect(wanted.size).toBeGreaterThan(0);
  });
});

async function ping(port: number): Promise<string> {
  const c = await RawClient.connect(port, '127.0.0.1');
  try {
    return await c.call('PING');
  } finally {
    c.close();
  }
}

/**
 * The HEALTHCHECK command, as the image runs it (exit status 0 = healthy), about the process `pid`
 * (in the container: pid 1). REDSHARD_PORT, which an earlier check read, names a wrong port: the
 * check must go by the node's own command line.
 */
function healthcheck(pid: number | undefined): number | null {
  const [cmd, ...args] = JSON.parse(last(runtime, 'HEALTHCHECK')!.rest.replace(/^.*?CMD\s+/, '')) as string[];
  const env = imageEnv({ REDSHARD_HEALTHCHECK_PID: String(pid), REDSHARD_PORT: '1' });
  const r = spawnSync(cmd!, args.map((a) => (a.startsWith('/app/') ? at(a) : a)), { env, cwd: at('/data'), timeout: 10_000, ...(asImageUser ? { uid: IMAGE_UID, gid: IMAGE_UID } : {}) });
  return r.status;
}

/** A process whose command line is a node's about to listen on `port` (not listening yet). */
function startingNode(port: number): ChildProcess {
  const p = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', 'redshard-node', '--port', String(port), '--bind', '127.0.0.1'], { stdio: 'ignore' });
  started.push(p);
  return p;
}

describe('redshard-node entrypoint from the built tree', () => {
  let port: number;
  let node: ChildProcess;
  /** The image's ENTRYPOINT + CMD with only the port changed (6379 may be taken) and a loopback bind. */
  const imageArgs = () => [...last(runtime, 'ENTRYPOINT')!.exec!, ...last(runtime, 'CMD')!.exec!.map((a) => (a === '6379' ? String(port) : a === '/data' ? at('/data') : a)), '--bind', '127.0.0.1'];

  it(`starts as the image runs it${asImageUser ? ' (uid 1000)' : ''}, passes the HEALTHCHECK, then fails it when stopped`, async () => {
    port = await freePort();
    const starting = startingNode(port);
    expect(healthcheck(starting.pid), 'nothing listening yet').toBe(1);
    starting.kill('SIGKILL');
    node = runAsImage(imageArgs());
    started.push(node);
    await until('node serving', async () => (await ping(port).catch(() => '')) === '+PONG\r\n', 30_000);
    if (asImageUser) expect(readFileSync(`/proc/${node.pid}/status`, 'utf8')).toMatch(/^Uid:\s+1000\s/m);
    expect(healthcheck(node.pid)).toBe(0);
    node.kill('SIGTERM');
    expect(await exited(node)).toBe(0);
    expect(healthcheck(node.pid)).toBe(1);
  });

  it('HEALTHCHECK follows the port of a config file named relative to the node, behind an init that keeps its arguments', async () => {
    const other = await freePort();
    const conf = at('/data/node.conf');
    writeFileSync(conf, `port ${other}\nbind 127.0.0.1\n`);
    if (asImageUser) chownSync(conf, IMAGE_UID, IMAGE_UID);
    // As `docker run --init`: pid 1 is an init that runs the node as its child and keeps the
    // node's command line on its own (here a shell that does not exec its last command).
    const init = runAsImage(['sh', '-c', '"$0" "$@"; exit $?', 'redshard-node', 'node.conf', '--dir', at('/data')]);
    started.push(init);
    await until('node serving', async () => (await ping(other).catch(() => '')) === '+PONG\r\n', 30_000);
    expect(readFileSync(`/proc/${init.pid}/cmdline`, 'latin1').split('\0')[0], 'the init is a process of its own').toBe('sh');
    expect(healthcheck(init.pid)).toBe(0);
    // The init does not pass signals on: the node is stopped by SHUTDOWN, which gets no reply.
    const c = await RawClient.connect(other, '127.0.0.1');
    void c.call('SHUTDOWN', 'NOSAVE').catch(() => '');
    expect(await exited(init)).toBe(0);
    c.close();
    expect(healthcheck(init.pid)).toBe(1);
  }, 30_000);

  it('HEALTHCHECK: a password-protected node is healthy, a port that is not Redis or that hangs is not', async () => {
    const locked = runAsImage([...imageArgs(), '--requirepass', 'secret']);
    started.push(locked);
    await until('node serving', async () => (await ping(port).catch(() => '')).startsWith('-NOAUTH'), 30_000);
    expect(healthcheck(locked.pid)).toBe(0);
    locked.kill('SIGTERM');
    expect(await exited(locked)).toBe(0);
    const starting = startingNode(port);
    for (const behaviour of ['http', 'silent'] as const) {
      const fake = net.createServer((s) => {
        if (behaviour === 'http') s.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      });
      await new Promise<void>((r) => fake.listen(port, '127.0.0.1', r));
      try {
        expect(healthcheck(starting.pid), behaviour).toBe(1);
      } finally {
        await new Promise((r) => fake.close(r));
      }
    }
    starting.kill('SIGKILL');
  }, 30_000);

  it('SIGTERM saves nodes.conf and flushes the append-only file; a restart finds both', async () => {
    // As the operator starts it in a pod: cluster mode, AOF on; `appendfsync no` leaves flushing to
    // the shutdown path.
    const clusterArgs = ['--cluster-enabled', 'yes', '--appendonly', 'yes', '--appendfsync', 'no', '--cluster-node-timeout', '2000'];
    const first = runAsImage([...imageArgs(), ...clusterArgs]);
    started.push(first);
    await until('node serving', async () => (await ping(port).catch(() => '')) === '+PONG\r\n', 30_000);
    const c = await RawClient.connect(port, '127.0.0.1');
    const id = (await c.call('CLUSTER', 'MYID')).split('\r\n')[1]!;
    expect(await c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')).toBe('+OK\r\n');
    await until('cluster_state:ok', async () => (await c.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), 30_000);
    for (let i = 0; i < 200; i++) expect(await c.call('SET', `{k}${i}`, `v${i}`)).toBe('+OK\r\n');
    c.close();
    first.kill('SIGTERM');
    expect(await exited(first)).toBe(0);

    const conf = readFileSync(at('/data/nodes.conf'), 'latin1');
    // A node that never met a peer does not know its own address yet (redis-server writes the same).
    // (with 7.2's shard-id aux field, after an empty hostname)
    expect(conf).toMatch(new RegExp(`^${id} [\\d.]*:${port}@\\d+,,shard-id=[0-9a-f]{40} myself,master - 0 0 \\d+ connected 0-16383$`, 'm'));
    expect(conf).toMatch(/^vars currentEpoch \d+ lastVoteEpoch \d+$/m);
    const aofDir = at('/data/appendonlydir');
    const manifest = readdirSync(aofDir).find((f) => f.endsWith('.manifest'))!;
    const incr = /file (\S+) seq \d+ type i/.exec(readFileSync(join(aofDir, manifest), 'utf8'))![1]!;
    const aof = readFileSync(join(aofDir, incr), 'latin1');
    expect(aof).toContain('$6\r\n{k}199\r\n$4\r\nv199\r\n');
    if (asImageUser) expect(statSync(join(aofDir, incr)).uid).toBe(IMAGE_UID);

    const again = runAsImage([...imageArgs(), ...clusterArgs]);
    started.push(again);
    await until('node serving', async () => (await ping(port).catch(() => '')) === '+PONG\r\n', 30_000);
    const d = await RawClient.connect(port, '127.0.0.1');
    expect((await d.call('CLUSTER', 'MYID')).split('\r\n')[1]).toBe(id);
    expect(await d.call('DBSIZE')).toBe(':200\r\n');
    // Like redis-server, a restarted master serves its slots only after a short settling delay.
    await until('cluster_state:ok after restart', async () => (await d.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), 30_000);
    expect(await d.call('GET', '{k}199')).toBe('$4\r\nv199\r\n');
    d.close();
    again.kill('SIGTERM');
    expect(await exited(again)).toBe(0);
  }, 60_000);
});

describe.skipIf(!binariesPresent())('redshard-operator entrypoint from the built tree', () => {
  let plane: ControlPlane;
  beforeAll(async () => {
    plane = await startControlPlane();
    plane.kubectl(['apply', '--server-side', '-f', join(ROOT, 'crds')]);
  }, 120_000);
  afterAll(async () => {
    await plane?.stop();
  });

  it('runs with the command line the Helm chart gives it and serves its probes; SIGTERM exits 0', async () => {
    const bin = execFileSync('bash', [join(ROOT, 'scripts/k8s/build.sh')], { encoding: 'utf8' }).trim();
    const rendered = execFileSync(join(bin, 'helm'), ['template', 'rs', join(ROOT, 'charts/redshard'), '--kube-version', '1.36.3', '--show-only', 'templates/deployment.yaml'], {
      encoding: 'utf8',
      env: { ...process.env, HELM_CACHE_HOME: '/tmp/redshard-helm', HELM_CONFIG_HOME: '/tmp/redshard-helm' },
    });
    const deploy = (loadAll(rendered) as { kind: string; spec: { template: { spec: { containers: { command: string[]; args: string[] }[] } } } }[]).find((d) => d?.kind === 'Deployment')!;
    const container = deploy.spec.template.spec.containers[0]!;
    const metricsPort = await freePort();
    const argv = [...container.command, ...container.args.map((a) => a.replace(/^--metrics-port=\d+$/, `--metrics-port=${metricsPort}`))];
    expect(argv[0]).toBe('redshard-operator');
    const kubeconfig = at('/data/kubeconfig');
    writeFileSync(kubeconfig, readFileSync(plane.kubeconfigPath));
    if (asImageUser) chownSync(kubeconfig, IMAGE_UID, IMAGE_UID);
    const op = runAsImage(argv, { env: { KUBECONFIG: kubeconfig, POD_NAMESPACE: 'default', POD_NAME: 'rs-image-test', REDSHARD_LOG_LEVEL: 'info' } });
    started.push(op);
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${metricsPort}${path}`).catch(() => null);
      return r ? { status: r.status, body: await r.text() } : null;
    };
    await until('/healthz', async () => (await get('/healthz'))?.status === 200, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${outputOf(op)}`);
    });
    expect((await get('/readyz'))?.status).toBe(200);
    await until('leader', async () => (await get('/metrics'))?.body.includes('redshard_operator_leader 1'), 30_000);
    op.kill('SIGTERM');
    expect(await exited(op)).toBe(0);
  }, 90_000);
});
