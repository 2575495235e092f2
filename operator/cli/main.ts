// `redshard`: the command-line tool for local mode. Flags are parsed by commander and validated by
// zod (one readable error per bad flag); long work (up, scale, down) runs the controller in this
// process and returns when the cluster reached the wanted state, while node processes keep running.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { createLogger, type Logger } from '../../common/log.js';
import { InvalidInput, parseWith } from '../../common/schema.js';
import { API_VERSION, KIND, SpecSchema, clusterKey, type Status } from '../api/v1alpha1.js';
import { ClusterAdmin } from '../admin/cluster-admin.js';
import { observeCluster } from '../controller/observe.js';
import { LocalPlatform } from '../platform/local/local-platform.js';
import { defaultNodeCommand, nodeCommandAvailable, resolveNodeCommand } from '../platform/local/node-command.js';
import { readState, stateDir, writeState, type LocalState } from '../platform/local/state.js';
import { stopProcess } from '../platform/local/processes.js';
import { LockedError } from '../platform/local/lock.js';
import { planReconcile } from '../reconcile/plan.js';
import { buildStatus } from '../reconcile/status.js';
import { renderStatus } from './slot-map.js';
import { progressPrinter } from './progress.js';
import { InvalidSpecError, invalidSpecMessage, runUntil } from './run-until-ready.js';
import { checkSpec } from '../reconcile/checks.js';
import { KubeStatusError, kubeStatus } from './kube-status.js';

const int = (what: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be at least ${min}`)
    .max(max, `${what} must be at most ${max}`);

const CommonFlags = z.object({
  dir: z.string().min(1, '--dir needs a path').default('.'),
  verbose: z.boolean().default(false),
  json: z.boolean().default(false),
});

const UpFlags = CommonFlags.extend({
  shards: int('--shards', 1, 100).default(3),
  replicas: int('--replicas', 0, 5).default(1),
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/, '--name must be a lower-case DNS label').default('local'),
  port: int('--port', 1024, 55535).default(6379),
  hostBase: int('--host-base', 2, 250).default(11),
  nodeCommand: z.string().min(1).optional(),
  nodeTimeoutMs: int('--node-timeout-ms', 500, 600000).default(5000),
  timeout: int('--timeout', 1, 3600).default(120),
});

const ScaleFlags = CommonFlags.extend({
  shards: int('--shards', 1, 100),
  replicas: int('--replicas', 0, 5).optional(),
  timeout: int('--timeout', 1, 3600).default(600),
});

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KUBE_ONLY = ['name', 'namespace', 'kubeconfig', 'context'] as const;
const StatusFlags = CommonFlags.extend({
  kube: z.boolean().default(false),
  name: z.string().max(253).regex(/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, '--name must be a Kubernetes object name (lower-case letters, digits, - and .)').optional(),
  namespace: z.string().max(63).regex(DNS_LABEL, '--namespace must be a lower-case DNS label').optional(),
  kubeconfig: z.string().min(1, '--kubeconfig needs a path').optional(),
  context: z.string().min(1, '--context needs a name').optional(),
}).superRefine((f, ctx) => {
  if (f.kube) return;
  for (const k of KUBE_ONLY) if (f[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `--${k} only applies with --kube` });
});
const FailoverFlags = CommonFlags.extend({
  shard: int('--shard', 0, 1000),
  mode: z.enum(['default', 'force', 'takeover'], { error: '--mode must be default, force or takeover' }).default('default'),
  timeout: int('--timeout', 1, 600).default(30),
});
const RebalanceFlags = CommonFlags.extend({ timeout: int('--timeout', 1, 3600).default(600) });
const DownFlags = CommonFlags.extend({ timeout: int('--timeout', 1, 600).default(60), force: z.boolean().default(false) });

class CliError extends Error {}

const kebab = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Flags through zod; each problem becomes one line naming the flag (messages above already do). */
function parseFlags<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const flag = i.path.length ? kebab(String(i.path[0])) : '';
    return i.message.startsWith('--') || !flag ? i.message : `${flag}: ${i.message}`;
  });
  throw new CliError(lines.join('\nredshard: '));
}

function loggerFor(dir: string, verbose: boolean): Logger {
  if (verbose) return createLogger('redshard-operator', { level: 'debug' });
  mkdirSync(stateDir(dir), { recursive: true });
  return createLogger('redshard-operator', { file: join(stateDir(dir), 'operator.log') });
}

/** The final picture on stdout: the slot map for people, or one JSON document with --json. */
function emit(json: boolean, name: string, spec: unknown, status: Status, extra: Record<string, unknown> = {}, text = ''): void {
  if (json) process.stdout.write(`${JSON.stringify({ name, spec, status, ...extra }, null, 2)}\n`);
  else process.stdout.write(`${renderStatus(name, status)}\n${text ? `\n${text}\n` : ''}`);
}

function connectAddress(state: LocalState): { host: string; port: number } {
  const masters = (state.resource.status?.shards ?? []).map((s) => s.master?.address).filter((a): a is string => Boolean(a));
  const first = masters[0] ?? `${Object.values(state.members)[0]?.host}:${state.port}`;
  const [host, port] = first.split(':');
  return { host: host!, port: Number(port) };
}

function connectHelp(state: LocalState, dir: string): string {
  const { host, port } = connectAddress(state);
  return [
    `Connect with a cluster-aware client, e.g.:`,
    `  redis-cli -c -h ${host} -p ${port}`,
    `  new Redis.Cluster([{ host: '${host}', port: ${port} }])   // ioredis`,
    `Then: redshard status | redshard scale --shards N | redshard down   (state in ${stateDir(dir)})`,
  ].join('\n');
}

async function cmdUp(raw: unknown): Promise<void> {
  const f = parseFlags(UpFlags, raw);
  const dir = resolve(f.dir);
  let state = readState(dir);
  if (state?.resource.metadata.deletionTimestamp) throw new CliError(`the cluster in ${stateDir(dir)} is being deleted; run \`redshard down\` first`);
  if (!state) {
    const command = f.nodeCommand ?? defaultNodeCommand();
    if (!nodeCommandAvailable(command)) throw new CliError(`node command "${command}" was not found (try --node-command redis-server)`);
    // Replicas of a fresh local cluster start their first sync at once instead of after 5 s.
    const config = { 'repl-diskless-sync-delay': '0' };
    const spec = parseWith(SpecSchema, { shards: f.shards, replicasPerShard: f.replicas, image: `local:${command}`, nodeTimeoutMs: f.nodeTimeoutMs, config }, 'cluster spec');
    state = {
      version: 1,
      resource: { apiVersion: API_VERSION, kind: KIND, metadata: { name: f.name, namespace: 'default', generation: 1, uid: `local-${Date.now()}` }, spec },
      nodeCommand: resolveNodeCommand(command),
      hostBase: f.hostBase,
      port: f.port,
      members: {},
      secrets: {},
    };
    writeState(dir, state);
    process.stderr.write(`starting ${f.shards} shard(s) x ${f.replicas} replica(s) with ${command} on 127.0.0.${f.hostBase}+ port ${f.port}\n`);
  } else {
    const spec = state.resource.spec as { shards?: number; replicasPerShard?: number };
    if ((raw as { shards?: unknown }).shards !== undefined && spec.shards !== f.shards) {
      throw new CliError(`a cluster with ${spec.shards} shard(s) already exists in ${stateDir(dir)}; use \`redshard scale --shards ${f.shards}\``);
    }
    process.stderr.write(`cluster ${state.resource.metadata.name} already exists in ${stateDir(dir)}; making sure it is up\n`);
  }
  // The log file goes into .redshard/, so it is opened only once the flags and the node command
  // passed: a refused `up` leaves nothing behind.
  const log = loggerFor(dir, f.verbose);
  const platform = new LocalPlatform(dir, log);
  const p = progressPrinter(process.stderr);
  try {
    await runUntil(platform, log, { kind: 'ready', generation: state.resource.metadata.generation ?? 1 }, f.timeout * 1000, p.update);
  } finally {
    p.end();
  }
  const now = readState(dir)!;
  emit(f.json, now.resource.metadata.name, now.resource.spec, now.resource.status ?? {}, { connect: connectAddress(now) }, connectHelp(now, dir));
}

async function cmdScale(raw: unknown): Promise<void> {
  const f = parseFlags(ScaleFlags, raw);
  const dir = resolve(f.dir);
  const log = loggerFor(dir, f.verbose);
  const state = readState(dir);
  if (!state) throw new CliError(`no local cluster in ${stateDir(dir)}; start one with \`redshard up\``);
  const spec = parseWith(SpecSchema, state.resource.spec, 'cluster spec');
  const next = parseWith(SpecSchema, { ...spec, shards: f.shards, replicasPerShard: f.replicas ?? spec.replicasPerShard }, 'cluster spec');
  const generation = (state.resource.metadata.generation ?? 1) + (next.shards !== spec.shards || next.replicasPerShard !== spec.replicasPerShard ? 1 : 0);
  state.resource.spec = next;
  state.resource.metadata.generation = generation;
  writeState(dir, state);
  process.stderr.write(`scaling ${state.resource.metadata.name} from ${spec.shards} to ${next.shards} shard(s)\n`);
  const platform = new LocalPlatform(dir, log);
  const p = progressPrinter(process.stderr);
  try {
    await runUntil(platform, log, { kind: 'ready', generation }, f.timeout * 1000, p.update);
  } finally {
    p.end();
  }
  const now = readState(dir)!;
  emit(f.json, now.resource.metadata.name, now.resource.spec, now.resource.status ?? {});
}

/** A fresh, read-only look: observe and plan but act on nothing. */
async function liveStatus(dir: string, state: LocalState, log: Logger): Promise<Status> {
  const platform = new LocalPlatform(dir, log);
  const cluster = (await platform.get(clusterKey(state.resource)))!;
  // An invalid spec is still observed and reported (Ready=False, reason InvalidSpec), not refused.
  const sc = checkSpec(cluster.spec);
  const admin = new ClusterAdmin(log, sc.ok ? await platform.password(cluster, sc.spec).catch(() => null) : null, 3000);
  try {
    const observed = await observeCluster(cluster, await platform.listMembers(cluster), admin, Date.now());
    return buildStatus(observed, planReconcile(observed));
  } finally {
    admin.close();
  }
}

async function cmdStatus(raw: unknown): Promise<void> {
  const f = parseFlags(StatusFlags, raw);
  if (f.kube) {
    const r = await kubeStatus(f);
    if (f.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else process.stdout.write(`${renderStatus(`${r.namespace}/${r.name}`, r.status)}\n`);
    return;
  }
  const dir = resolve(f.dir);
  const state = readState(dir);
  if (!state) throw new CliError(`no local cluster in ${stateDir(dir)}; start one with \`redshard up\``);
  const log = loggerFor(dir, f.verbose);
  const status = await liveStatus(dir, state, log);
  emit(f.json, state.resource.metadata.name, state.resource.spec, status);
  // Shown in full above; the exit code and this line tell a script or a person what to fix.
  if (status.phase === 'Invalid') throw new InvalidSpecError(invalidSpecMessage(dir, status.lastError ?? 'invalid spec'));
}

/** Slots per master, in shard order: what a rebalance changes. */
const shares = (s: Status) => (s.shards ?? []).map((x) => x.slotCount);

/**
 * Runs the controller core until the cluster is Ready: its planner moves slots (live, by
 * MIGRATE) until every master holds an even share, so a cluster left uneven by hand (e.g. with
 * redis-cli --cluster reshard) is evened out; dead members are restarted on the way.
 */
async function cmdRebalance(raw: unknown): Promise<void> {
  const f = parseFlags(RebalanceFlags, raw);
  const dir = resolve(f.dir);
  const state = readState(dir);
  if (!state) throw new CliError(`no local cluster in ${stateDir(dir)}; start one with \`redshard up\``);
  const log = loggerFor(dir, f.verbose);
  const before = await liveStatus(dir, state, log);
  process.stderr.write(`rebalancing ${state.resource.metadata.name}: slots per master now ${shares(before).join(' / ') || '-'}\n`);
  // The planner files moves towards masters the spec keeps under ScaleOut; here they are a rebalance.
  const p = progressPrinter(process.stderr, 'Rebalance');
  try {
    await runUntil(new LocalPlatform(dir, log), log, { kind: 'ready', generation: state.resource.metadata.generation ?? 1 }, f.timeout * 1000, p.update);
  } finally {
    p.end();
  }
  const now = readState(dir)!;
  const after = now.resource.status ?? {};
  const moved = (after.shards ?? []).reduce((n, s) => n + Math.max(0, s.slotCount - ((before.shards ?? []).find((b) => b.index === s.index)?.slotCount ?? 0)), 0);
  process.stderr.write(moved ? `moved ${moved} slot(s); slots per master now ${shares(after).join(' / ')}\n` : 'already balanced: no slot moved\n');
  emit(f.json, now.resource.metadata.name, now.resource.spec, after, { slotsMoved: moved, before: shares(before), after: shares(after) });
}

/** Promotes a replica of one shard (CLUSTER FAILOVER on it) and waits until it serves as master. */
async function cmdFailover(raw: unknown): Promise<void> {
  const f = parseFlags(FailoverFlags, raw);
  const dir = resolve(f.dir);
  const state = readState(dir);
  if (!state) throw new CliError(`no local cluster in ${stateDir(dir)}; start one with \`redshard up\``);
  const log = loggerFor(dir, f.verbose);
  const status = await liveStatus(dir, state, log);
  const shard = status.shards?.find((s) => s.index === f.shard);
  if (!shard) throw new CliError(`no shard ${f.shard}; shards are ${(status.shards ?? []).map((s) => s.index).join(', ')}`);
  const replica = shard.replicas.find((r) => r.address);
  if (!replica?.address) throw new CliError(`shard ${f.shard} has no replica to promote`);
  const [host, port] = replica.address.split(':') as [string, string];
  const admin = new ClusterAdmin(log, null, 5000);
  try {
    const c = admin.client(host, Number(port));
    await admin.failover(c, f.mode === 'default' ? undefined : f.mode === 'force' ? 'FORCE' : 'TAKEOVER');
    const deadline = Date.now() + f.timeout * 1000;
    for (;;) {
      const self = (await admin.clusterNodes(c)).split('\n').find((l) => l.split(' ')[2]?.split(',').includes('myself'));
      if (self?.split(' ')[2]?.split(',').includes('master')) break;
      if (Date.now() > deadline) throw new CliError(`${replica.address} did not become master within ${f.timeout} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    admin.close();
  }
  process.stderr.write(`${replica.address} (${replica.name}) is now the master of shard ${f.shard}\n`);
  emit(f.json, state.resource.metadata.name, state.resource.spec, await liveStatus(dir, state, log), { promoted: { shard: f.shard, name: replica.name, address: replica.address } });
}

async function cmdDown(raw: unknown): Promise<void> {
  const f = parseFlags(DownFlags, raw);
  const dir = resolve(f.dir);
  const state = readState(dir);
  if (!state) {
    process.stderr.write(`no local cluster in ${stateDir(dir)}: nothing to stop\n`);
    return;
  }
  if (f.force) {
    // No controller and no log file: opening one in .redshard/ would race with its removal below.
    await Promise.all(Object.values(state.members).map((m) => stopProcess(m.pid, m.port)));
    const { rmSync } = await import('node:fs');
    rmSync(stateDir(dir), { recursive: true, force: true });
    process.stderr.write(`stopped ${Object.keys(state.members).length} node process(es)\n`);
    if (f.json) process.stdout.write(`${JSON.stringify({ name: state.resource.metadata.name, stopped: Object.keys(state.members).length })}\n`);
    return;
  }
  const log = loggerFor(dir, f.verbose);
  const n = Object.keys(state.members).length;
  state.resource.metadata.deletionTimestamp = new Date().toISOString();
  if (!state.resource.metadata.finalizers?.length) state.resource.metadata.finalizers = ['redshard.io/finalizer'];
  writeState(dir, state);
  await runUntil(new LocalPlatform(dir, log), log, { kind: 'gone' }, f.timeout * 1000, () => undefined);
  process.stderr.write(`stopped ${n} node process(es) and removed ${stateDir(dir)}\n`);
  if (f.json) process.stdout.write(`${JSON.stringify({ name: state.resource.metadata.name, stopped: n })}\n`);
}

export function buildProgram(): Command {
  const program = new Command('redshard')
    .description('Run a local redshard cluster (Redis Cluster compatible) and look after it')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride();
  const common = (c: Command) =>
    c
      .option('--dir <path>', 'project directory holding .redshard/', '.')
      .option('--json', 'print the result as one JSON document (progress stays on stderr)')
      .option('-v, --verbose', 'operator logs on stderr instead of .redshard/operator.log');
  common(
    program
      .command('up')
      .description('start a local cluster (3 shards x 1 replica by default) and return once it is Ready')
      .option('--shards <n>', 'number of masters')
      .option('--replicas <n>', 'replicas per master')
      .option('--name <name>', 'cluster name')
      .option('--port <port>', 'client port of every member (bus: port + 10000)')
      .option('--host-base <n>', 'members get 127.0.0.<n>, 127.0.0.<n+1>, ...')
      .addOption(new Option('--node-command <cmd>', 'node program: redshard-node, redis-server, or a path to a .js file').env('REDSHARD_NODE_COMMAND'))
      .option('--node-timeout-ms <ms>', 'cluster-node-timeout of the nodes')
      .option('--timeout <seconds>', 'give up after this long'),
  ).action((opts: Record<string, unknown>) => cmdUp(opts));
  common(
    program
      .command('scale')
      .description('change the number of shards (and replicas); returns when the cluster is Ready again')
      .requiredOption('--shards <n>', 'number of masters wanted')
      .option('--replicas <n>', 'replicas per master wanted')
      .option('--timeout <seconds>', 'give up after this long'),
  ).action((opts: Record<string, unknown>) => cmdScale(opts));
  common(
    program
      .command('status')
      .description('show the slot map, shards and health')
      .option('--kube', 'read a RedisShardCluster from Kubernetes instead of the local cluster')
      .option('--name <name>', 'with --kube: the resource name (optional when the namespace holds one)')
      .option('--namespace <ns>', "with --kube: the namespace (default: the context's, else default)")
      .addOption(new Option('--kubeconfig <path>', 'with --kube: kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'))
      .option('--context <name>', 'with --kube: kubeconfig context (default: the current one)'),
  ).action((opts: Record<string, unknown>) => cmdStatus(opts));
  common(
    program
      .command('failover')
      .description("promote a replica of one shard to master (CLUSTER FAILOVER) and wait until it serves")
      .requiredOption('--shard <n>', 'shard index, as shown by `redshard status`')
      .option('--mode <mode>', 'default (safe, waits for the replica to catch up), force or takeover')
      .option('--timeout <seconds>', 'give up after this long'),
  ).action((opts: Record<string, unknown>) => cmdFailover(opts));
  common(
    program
      .command('rebalance')
      .description('run the operator until the cluster is balanced and Ready (restarts dead members too)')
      .option('--timeout <seconds>', 'give up after this long'),
  ).action((opts: Record<string, unknown>) => cmdRebalance(opts));
  common(
    program
      .command('down')
      .description('stop every node process and remove the local state')
      .option('--force', 'kill the processes without running the controller')
      .option('--timeout <seconds>', 'give up after this long'),
  ).action((opts: Record<string, unknown>) => cmdDown(opts));
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its message (with a suggestion for a mistyped flag); a usage
      // error exits 2 like a flag that fails validation, --help and --version exit 0.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof InvalidInput || e instanceof CliError || e instanceof LockedError || e instanceof KubeStatusError || e instanceof InvalidSpecError) {
      process.stderr.write(`redshard: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`redshard: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
