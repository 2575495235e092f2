// INFO sections, with Redis 7.0's section and field names so that tools parsing INFO keep working.
import os from 'node:os';
import type { Ctx } from './types.js';
import type { Server } from '../server/server.js';
import { SERVER_VERSION } from './connection.js';
import { replicationInfo } from '../replication/info.js';
import { persistenceInfo } from '../persistence/info.js';

const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];
const EVERYTHING = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace'];
const TITLES: Record<string, string> = { cpu: 'CPU' };

/** The sections INFO prints for its arguments, in Redis's order. */
export function pickSections(args: readonly string[]): string[] {
  const want = new Set(args.map((a) => a.toLowerCase()));
  if (want.size === 0) return DEFAULT_SECTIONS;
  if (want.has('all') || want.has('everything')) return EVERYTHING;
  const out = new Set<string>();
  if (want.has('default')) for (const s of DEFAULT_SECTIONS) out.add(s);
  for (const s of EVERYTHING) if (want.has(s)) out.add(s);
  return EVERYTHING.filter((s) => out.has(s));
}

export function renderInfo(ctx: Ctx, args: readonly string[]): string {
  const parts: string[] = [];
  for (const s of pickSections(args)) {
    const lines = section(ctx.server, s);
    const title = TITLES[s] ?? `${s[0]!.toUpperCase()}${s.slice(1)}`;
    parts.push(`# ${title}\r\n${lines.map((l) => `${l}\r\n`).join('')}`);
  }
  return parts.join('\r\n');
}

function section(srv: Server, name: string): string[] {
  const cfg = srv.config;
  const now = Date.now();
  switch (name) {
    case 'server':
      return [
        `redis_version:${SERVER_VERSION}`,
        'redis_git_sha1:00000000',
        'redis_git_dirty:0',
        'redis_build_id:0',
        `redis_mode:${srv.clusterEnabled ? 'cluster' : 'standalone'}`,
        `os:${os.type()} ${os.release()} ${os.machine()}`,
        'arch_bits:64',
        'monotonic_clock:POSIX clock_gettime',
        'multiplexing_api:epoll',
        'atomicvar_api:c11-builtin',
        'gcc_version:0.0.0',
        `process_id:${process.pid}`,
        'process_supervised:no',
        `run_id:${srv.runId}`,
        `tcp_port:${srv.port}`,
        `server_time_usec:${now * 1000}`,
        `uptime_in_seconds:${Math.floor((now - srv.startedAt) / 1000)}`,
        `uptime_in_days:${Math.floor((now - srv.startedAt) / 86400000)}`,
        `hz:${cfg.int('hz')}`,
        `configured_hz:${cfg.int('hz')}`,
        `lru_clock:${Math.floor(now / 1000) & 0xffffff}`,
        `executable:${process.argv[1] ?? ''}`,
        `config_file:${cfg.configFile ?? ''}`,
        'io_threads_active:0',
      ];
    case 'clients': {
      let maxIn = 0;
      let maxOut = 0;
      for (const s of srv.sessions.values()) {
        maxIn = Math.max(maxIn, s.reader.pending);
        maxOut = Math.max(maxOut, s.socket.writableLength);
      }
      return [
        `connected_clients:${srv.sessions.size}`,
        'cluster_connections:0',
        `maxclients:${cfg.int('maxclients')}`,
        `client_recent_max_input_buffer:${maxIn}`,
        `client_recent_max_output_buffer:${maxOut}`,
        `blocked_clients:${srv.blocking.blockedCount}`,
        'tracking_clients:0',
        `clients_in_timeout_table:${srv.blocking.timeoutTableCount}`,
      ];
    }
    case 'memory': {
      const used = srv.usedMemory();
      let dataset = 0;
      for (const d of srv.dbs) dataset += d.bytes;
      const rss = process.memoryUsage.rss();
      const peak = Math.max(srv.memory.peak, used);
      const max = cfg.int('maxmemory');
      const total = os.totalmem();
      return [
        `used_memory:${used}`,
        `used_memory_human:${human(used)}`,
        `used_memory_rss:${rss}`,
        `used_memory_rss_human:${human(rss)}`,
        `used_memory_peak:${peak}`,
        `used_memory_peak_human:${human(peak)}`,
        `used_memory_peak_perc:${peak > 0 ? ((used * 100) / peak).toFixed(2) : '100.00'}%`,
        `used_memory_dataset:${dataset}`,
        `total_system_memory:${total}`,
        `total_system_memory_human:${human(total)}`,
        `maxmemory:${max}`,
        `maxmemory_human:${human(max)}`,
        `maxmemory_policy:${cfg.get('maxmemory-policy')}`,
        `mem_fragmentation_ratio:${used > 0 ? (rss / used).toFixed(2) : '0.00'}`,
        `mem_fragmentation_bytes:${rss - used}`,
        'mem_allocator:v8',
        'active_defrag_running:0',
        'lazyfree_pending_objects:0',
        'lazyfreed_objects:0',
      ];
    }
    case 'persistence':
      return persistenceInfo(srv);
    case 'stats': {
      const st = srv.stats;
      return [
        `total_connections_received:${st.connectionsReceived}`,
        `total_commands_processed:${st.commandsProcessed}`,
        `instantaneous_ops_per_sec:${Math.round(st.instantOps.rate())}`,
        `total_net_input_bytes:${st.netInputBytes}`,
        `total_net_output_bytes:${st.netOutputBytes}`,
        `instantaneous_input_kbps:${(st.instantInput.rate() / 1024).toFixed(2)}`,
        `instantaneous_output_kbps:${(st.instantOutput.rate() / 1024).toFixed(2)}`,
        `rejected_connections:${st.rejectedConnections}`,
        `sync_full:${st.syncFull}`,
        `sync_partial_ok:${st.syncPartialOk}`,
        `sync_partial_err:${st.syncPartialErr}`,
        `expired_keys:${st.expiredKeys}`,
        `evicted_keys:${st.evictedKeys}`,
        `evicted_clients:0`,
        `keyspace_hits:${st.keyspaceHits}`,
        `keyspace_misses:${st.keyspaceMisses}`,
        `pubsub_channels:${srv.pubsub.channels.size}`,
        `pubsub_patterns:${srv.pubsub.patterns.size}`,
        `pubsubshard_channels:${srv.pubsub.shardChannels.size}`,
        `unexpected_error_replies:0`,
        `total_error_replies:${st.totalErrorReplies}`,
      ];
    }
    case 'replication':
      return replicationInfo(srv);
    case 'cpu': {
      const u = process.cpuUsage();
      return [
        `used_cpu_sys:${(u.system / 1e6).toFixed(6)}`,
        `used_cpu_user:${(u.user / 1e6).toFixed(6)}`,
        'used_cpu_sys_children:0.000000',
        'used_cpu_user_children:0.000000',
        `used_cpu_sys_main_thread:${(u.system / 1e6).toFixed(6)}`,
        `used_cpu_user_main_thread:${(u.user / 1e6).toFixed(6)}`,
      ];
    }
    case 'errorstats':
      return [...srv.stats.errors].map(([code, n]) => `errorstat_${code}:count=${n}`);
    case 'cluster':
      return [`cluster_enabled:${srv.clusterEnabled ? 1 : 0}`];
    case 'keyspace':
      return srv.dbs.filter((d) => d.size > 0).map((d) => `db${d.index}:keys=${d.size},expires=${d.expires.size},avg_ttl=${averageTtl(d.expires, now)}`);
    case 'commandstats':
      return [...srv.stats.commandCalls]
        .filter(([, s]) => s.calls + s.rejected + s.failed > 0)
        .map(([n, s]) => `cmdstat_${n}:calls=${s.calls},usec=${s.usec},usec_per_call=${s.calls ? (s.usec / s.calls).toFixed(2) : '0.00'},rejected_calls=${s.rejected},failed_calls=${s.failed}`);
    default:
      return [];
  }
}

/** Average remaining TTL in ms over (at most the first 1000) keys with an expiry. */
function averageTtl(expires: Map<string, number>, now: number): number {
  let sum = 0;
  let n = 0;
  for (const at of expires.values()) {
    if (n === 1000) break;
    sum += Math.max(0, at - now);
    n++;
  }
  return n === 0 ? 0 : Math.floor(sum / n);
}

function human(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let v = n;
  let i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)}${units[i]}`;
}
