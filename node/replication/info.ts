// INFO replication fields, named as Redis names them (tools and operators parse these).
import type { Server } from '../server/server.js';

export function replicationInfo(server: Server): string[] {
  const p = server.replication;
  const link = server.replicaLink;
  const lines: string[] = [];
  const replicaLines = (): void => {
    const reps = [...p.replicas.values()];
    lines.push(`connected_slaves:${reps.length}`);
    reps.forEach((r, i) => {
      const ip = r.announcedIp ?? r.session.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
      lines.push(`slave${i}:ip=${ip},port=${r.listeningPort},state=${r.state},offset=${r.ackOffset},lag=${Math.floor((Date.now() - r.ackTime) / 1000)}`);
    });
  };
  if (link === null) {
    lines.push('role:master');
    replicaLines();
  } else {
    lines.push('role:slave');
    lines.push(`master_host:${link.host}`);
    lines.push(`master_port:${link.port}`);
    lines.push(`master_link_status:${link.state === 'connected' ? 'up' : 'down'}`);
    lines.push(`master_last_io_seconds_ago:${link.state === 'connected' ? Math.floor((Date.now() - link.lastIoAt) / 1000) : -1}`);
    lines.push(`master_sync_in_progress:${link.state === 'transfer' ? 1 : 0}`);
    // Before any history is known Redis shows 1 here.
    const off = link.offset >= 0 ? link.offset : 1;
    lines.push(`slave_read_repl_offset:${off}`);
    lines.push(`slave_repl_offset:${off}`);
    if (link.state === 'transfer') {
      const { total, read } = link.transferProgress();
      // As Redis computes it (so -0.00 before the preamble, 0.00 for an EOF-marked payload).
      const perc = total === 0 ? 0 : (read / total) * 100;
      lines.push(`master_sync_total_bytes:${total}`);
      lines.push(`master_sync_read_bytes:${read}`);
      lines.push(`master_sync_left_bytes:${total - read}`);
      lines.push(`master_sync_perc:${Object.is(perc, -0) ? '-' : ''}${perc.toFixed(2)}`);
      lines.push(`master_sync_last_io_seconds_ago:${Math.floor((Date.now() - link.lastIoAt) / 1000)}`);
    }
    if (link.state !== 'connected') lines.push(`master_link_down_since_seconds:${link.linkLost ? Math.floor((Date.now() - link.linkDownSince) / 1000) : -1}`);
    lines.push(`slave_priority:${server.config.int('replica-priority')}`);
    lines.push(`slave_read_only:${server.config.bool('replica-read-only') ? 1 : 0}`);
    lines.push('replica_announced:1');
    replicaLines();
  }
  lines.push(`master_failover_state:no-failover`);
  lines.push(`master_replid:${p.replid}`);
  lines.push(`master_replid2:${p.replid2}`);
  lines.push(`master_repl_offset:${p.offset}`);
  lines.push(`second_repl_offset:${p.secondOffset}`);
  lines.push(`repl_backlog_active:${p.backlog ? 1 : 0}`);
  lines.push(`repl_backlog_size:${p.backlog?.size ?? server.config.int('repl-backlog-size')}`);
  lines.push(`repl_backlog_first_byte_offset:${p.backlog?.firstOffset ?? 0}`);
  lines.push(`repl_backlog_histlen:${p.backlog?.histlen ?? 0}`);
  return lines;
}
