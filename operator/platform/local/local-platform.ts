// Platform for local mode: members are node processes on their own loopback address
// (127.0.0.<hostBase + n>, all on one port, bus on port + 10000), the resource lives in the state
// file. Outgoing bus connections leave from 127.0.0.1 whatever the bind address, so every member
// announces its own address (cluster-announce-ip) or peers would answer the wrong one. Each member's data dir (nodes.conf, logs) is <dir>/.redshard/nodes/<member>.
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../common/log.js';
import { FINALIZER, clusterKey, type RedisShardCluster, type Spec, type Status } from '../../api/v1alpha1.js';
import { memberRevision, nodeArgs, type ClusterEvent, type Member, type MemberRef, type Platform } from '../platform.js';
import { nodeCommandForImage } from './node-command.js';
import { canConnect, isNodeProcess, spawnNode, stopProcess } from './processes.js';
import { readState, resourceOf, stateDir, writeState, type LocalMember, type LocalState } from './state.js';

export class LocalPlatform implements Platform {
  readonly name = 'local' as const;

  constructor(
    readonly dir: string,
    private readonly log: Logger,
    private readonly pollMs = 500,
  ) {}

  private load(): LocalState | null {
    return readState(this.dir);
  }

  private mustLoad(): LocalState {
    const s = this.load();
    if (!s) throw new Error(`no local cluster in ${stateDir(this.dir)}`);
    return s;
  }

  private update(fn: (s: LocalState) => void): void {
    const s = this.mustLoad();
    fn(s);
    writeState(this.dir, s);
  }

  async listKeys(): Promise<string[]> {
    const s = this.load();
    return s ? [clusterKey(s.resource)] : [];
  }

  async watch(onChange: (key: string) => void): Promise<() => void> {
    // The resource only changes through the CLI and processes only die on their own: a cheap poll
    // of the resource's version and the members' liveness covers both.
    let last = '';
    const t = setInterval(() => {
      const s = this.load();
      if (!s) return;
      const alive = Object.values(s.members).map((m) => `${m.name}:${isNodeProcess(m.pid, m.port)}`);
      const sig = `${s.resource.metadata.generation}|${s.resource.metadata.deletionTimestamp ?? ''}|${alive.join(',')}`;
      if (sig !== last) {
        last = sig;
        onChange(clusterKey(s.resource));
      }
    }, this.pollMs);
    t.unref();
    return () => clearInterval(t);
  }

  async get(key: string): Promise<RedisShardCluster | null> {
    const s = this.load();
    if (!s || clusterKey(s.resource) !== key) return null;
    return resourceOf(s);
  }

  async writeStatus(_key: string, status: Status): Promise<void> {
    this.update((s) => {
      s.resource.status = status;
    });
  }

  async setFinalizer(_key: string, present: boolean): Promise<void> {
    const s = this.load();
    if (!s) return;
    const fins = new Set(s.resource.metadata.finalizers ?? []);
    if (present) fins.add(FINALIZER);
    else fins.delete(FINALIZER);
    s.resource.metadata.finalizers = [...fins];
    if (!present && s.resource.metadata.deletionTimestamp && fins.size === 0) {
      // Last finalizer gone on a deleting resource: it disappears, as in Kubernetes.
      rmSync(stateDir(this.dir), { recursive: true, force: true });
      return;
    }
    writeState(this.dir, s);
  }

  async listMembers(_cluster: RedisShardCluster): Promise<Member[]> {
    const s = this.load();
    if (!s) return [];
    return Promise.all(
      Object.values(s.members).map(async (m): Promise<Member> => {
        const alive = isNodeProcess(m.pid, m.port);
        const listening = alive && (await canConnect(m.host, m.port));
        return {
          name: m.name,
          shard: m.shard,
          ordinal: m.ordinal,
          host: m.host,
          port: m.port,
          ready: listening,
          phase: !alive ? 'Failed' : listening ? 'Running' : 'Pending',
          incarnation: `${m.pid}@${m.startedAt}`,
          ...(m.revision ? { revision: m.revision } : {}),
        };
      }),
    );
  }

  private freeHost(s: LocalState): string {
    const used = new Set(Object.values(s.members).map((m) => m.host));
    for (let i = s.hostBase; i < 255; i++) {
      const h = `127.0.0.${i}`;
      if (!used.has(h)) return h;
    }
    throw new Error('no free loopback address left for another member');
  }

  async ensureMembers(_cluster: RedisShardCluster, spec: Spec, members: readonly MemberRef[]): Promise<void> {
    const s = this.mustLoad();
    for (const ref of members) {
      const existing = s.members[ref.name];
      if (existing && isNodeProcess(existing.pid, existing.port)) continue;
      this.spawnMember(s, spec, ref, existing);
    }
    writeState(this.dir, s);
  }

  async restartMember(_cluster: RedisShardCluster, spec: Spec, name: string): Promise<void> {
    const s = this.mustLoad();
    const m = s.members[name];
    if (!m) throw new Error(`no member ${name} to restart`);
    await stopProcess(m.pid, m.port);
    // Stopping can take seconds: other writers may have changed the file meanwhile.
    const now = this.mustLoad();
    this.spawnMember(now, spec, m, m);
    writeState(this.dir, now);
  }

  /** Starts a member's process (same address and directory when it existed) and records it in s. */
  private spawnMember(s: LocalState, spec: Spec, ref: MemberRef, existing: LocalMember | undefined): void {
    const host = existing?.host ?? this.freeHost(s);
    const dir = existing?.dir ?? join(stateDir(this.dir), 'nodes', ref.name);
    const password = spec.auth ? s.secrets[spec.auth.secretName]?.[spec.auth.key] ?? null : null;
    const command = nodeCommandForImage(spec.image, s.nodeCommand);
    const pid = spawnNode(command, nodeArgs(spec, { bind: host, port: s.port, dir, password, announceIp: host }), dir);
    const revision = memberRevision(spec);
    this.log.info({ member: ref.name, host, port: s.port, pid, command: command[command.length - 1], revision, restart: Boolean(existing) }, existing ? 'restarted member process' : 'started member process');
    s.members[ref.name] = { name: ref.name, shard: ref.shard, ordinal: ref.ordinal, host, port: s.port, pid, startedAt: new Date().toISOString(), dir, revision };
  }

  async deleteMember(_cluster: RedisShardCluster, name: string): Promise<void> {
    const s = this.load();
    const m = s?.members[name];
    if (!s || !m) return;
    await stopProcess(m.pid, m.port);
    rmSync(m.dir, { recursive: true, force: true });
    this.update((st) => {
      delete st.members[name];
    });
    this.log.info({ member: name }, 'stopped and removed member');
  }

  async deleteAll(_cluster: RedisShardCluster): Promise<void> {
    const s = this.load();
    if (!s) return;
    await Promise.all(Object.values(s.members).map((m) => stopProcess(m.pid, m.port)));
    for (const m of Object.values(s.members)) rmSync(m.dir, { recursive: true, force: true });
    this.update((st) => {
      st.members = {};
    });
  }

  async event(_cluster: RedisShardCluster, e: ClusterEvent): Promise<void> {
    mkdirSync(stateDir(this.dir), { recursive: true });
    appendFileSync(join(stateDir(this.dir), 'events.log'), JSON.stringify({ time: new Date().toISOString(), ...e }) + '\n');
  }

  async password(_cluster: RedisShardCluster, spec: Spec): Promise<string | null> {
    if (!spec.auth) return null;
    const s = this.mustLoad();
    const v = s.secrets[spec.auth.secretName]?.[spec.auth.key];
    if (v === undefined) throw new Error(`secret ${spec.auth.secretName} (key ${spec.auth.key}) is not in the local state file`);
    return v;
  }
}
