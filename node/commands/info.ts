// INFO sections, in Redis's field names so that tools parsing INFO keep working.
import os from 'node:os';
import type { Ctx } from './types.js';
import { SERVER_VERSION } from './connection.js';
import { replicationInfo } from '../replication/info.js';
import { persistenceInfo } from '../persistence/info.js';

const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];
const ALL_EXTRA = ['commandstats', 'latencystats'];

export function renderInfo(ctx: Ctx, args: readonly string[]): string {
  const want = new Set(args.map((a) => a.toLowerCase()));
  let sections: string[];
  if (want.size === 0 || want.has('default')) sections = DEFAULT_SECTIONS;
  else if (want.has('all') || want.has('everything')) sections = [...DEFAULT_SECTIONS, ...ALL_EXTRA];
  else sections = [...DEFAULT_SECTIONS, ...ALL_EXTRA].filter((s) => want.has(s));
  const parts: string[] = [];
  for (const s of sections) {
    const lines = section(ctx, s);
    if (lines === null) continue;
    parts.push(`# ${s[0]!.toUpperCase()}${s.slice(1)}\r\n${lines.map((l) => `${l}\r\n`).join('')}`);
  }
  return parts.join('\r\n');
}

function section(ctx: Ctx, name: string): string[] | null {
  const srv = ctx.server;
  const cfg = srv.config;
  const now = Date.now();
  const mem = process.memoryUsage();
  switch (name) {
    case 'server':
      return [
        `redis_version:${SERVER_VERSION}`,
        'redis_git_sha1:00000000',
        'redis_git_dirty:0',
        'redis_build_id:redshard',
        `redis_mode:${srv.clusterEnabled ? 'cluster' : 'standalone'}`,
        `os:${os.type()} ${os.release()} ${os.arch()}`,
        'arch_bits:64',
        'monotonic_clock:POSIX clock_gettime',
        'multiplexing_api:epoll',
        `process_id:${process.pid}`,
        `process_supervised:no`,
        `run_id:${srv.runId}`,
        `tcp_port:${srv.port}`,
        `server_time_usec:${now * 1000}`,
        `uptime_in_seconds:${Math.floor((now - srv.startedAt) / 1000)}`,
        `uptime_in_days:${Math.floor((now - srv.startedAt) / 86400000)}`,
        `hz:${cfg.int('hz')}`,
        `configured_hz:${cfg.int('hz')}`,
        `executable:${process.argv[1] ?? ''}`,
        `config_file:${cfg.configFile ?? ''}`,
        `redshard_node_version:${process.version}`,
      ];
    case 'clients':
      return [
        `connected_clients:${srv.sessions.size}`,
        'cluster_connections:0',
        `maxclients:${cfg.int('maxclients')}`,
        `blocked_clients:${srv.blocking.blockedCount}`,
        'tracking_clients:0',
        'clients_in_timeout_table:0',
      ];
    case 'memory':
      return [
        `used_memory:${mem.heapUsed + mem.external}`,
        `used_memory_human:${human(mem.heapUsed + mem.external)}`,
        `used_memory_rss:${mem.rss}`,
        `used_memory_rss_human:${human(mem.rss)}`,
        `used_memory_peak:${mem.heapTotal}`,
        `maxmemory:${cfg.int('maxmemory')}`,
        `maxmemory_human:${human(cfg.int('maxmemory'))}`,
        `maxmemory_policy:${cfg.get('maxmemory-policy')}`,
        `mem_allocator:v8`,
      ];
    case 'persistence':
      return persistenceInfo(srv);
    case 'stats': {
      const st = srv.stats;
      return [
        `total_connections_received:${st.connectionsReceived}`,
        `total_commands_processed:${st.commandsProcessed}`,
        `total_net_input_bytes:${st.netInputBytes}`,
        `total_net_output_bytes:${st.netOutputBytes}`,
        `rejected_connections:${st.rejectedConnections}`,
        `expired_keys:${st.expiredKeys}`,
        `evicted_keys:${st.evictedKeys}`,
        `keyspace_hits:${st.keyspaceHits}`,
        `keyspace_misses:${st.keyspaceMisses}`,
        `pubsub_channels:${srv.pubsub.channels.size}`,
        `pubsub_patterns:${srv.pubsub.patterns.size}`,
        `pubsubshard_channels:${srv.pubsub.shardChannels.size}`,
      ];
    }
    case 'replication':
      return replicationInfo(srv);
    case 'cpu': {
      const u = process.cpuUsage();
      return [`used_cpu_sys:${(u.system / 1e6).toFixed(6)}`, `used_cpu_user:${(u.user / 1e6).toFixed(6)}`];
    }
    case 'modules':
      return [];
    case 'errorstats':
      return [];
    case 'cluster':
      return [`cluster_enabled:${srv.clusterEnabled ? 1 : 0}`];
    case 'keyspace':
      return srv.dbs.filter((d) => d.size > 0).map((d) => `db${d.index}:keys=${d.size},expires=${d.expires.size},avg_ttl=0`);
    case 'commandstats':
      return [...srv.stats.commandCalls].map(
        ([n, s]) => `cmdstat_${n}:calls=${s.calls},usec=${s.usec},usec_per_call=${s.calls ? (s.usec / s.calls).toFixed(2) : '0.00'},rejected_calls=${s.rejected},failed_calls=${s.failed}`,
      );
    case 'latencystats':
      return [];
    default:
      return null;
  }
}

function human(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T'];
  let v = n;
  let i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)}${units[i]}`;
}
