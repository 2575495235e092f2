// Switching this node between master and replica (REPLICAOF, CLUSTER REPLICATE, failover).
import type { Server } from '../server/server.js';
import { ReplicaLink } from './replica.js';

/**
 * Makes this node a replica of host:port (or a master again when host is null). `atStartup`: the
 * replicaof setting at start, when (as in Redis without a saved replication state) the node has
 * no history of its own to offer the master.
 */
export function replicaOf(server: Server, target: { host: string; port: number } | null, atStartup = false): void {
  const cur = server.replicaLink;
  if (target === null) {
    if (cur === null) return;
    cur.stop();
    server.replicaLink = null;
    for (const db of server.dbs) db.activeExpireAllowed = true;
    // Keep the old history so replicas of the former master can continue from their offsets.
    server.replication.shiftReplicationId();
    // Sub-replicas learn the new ID by reconnecting; they continue partially (via replid2).
    server.replication.disconnectReplicas();
    server.log.warn({ replid: server.replication.replid }, 'MASTER MODE enabled');
    return;
  }
  cur?.stop();
  server.blocking.disconnectAllBlocked();
  server.replication.dropWaiters();
  const link = new ReplicaLink(server, target.host, target.port);
  if (cur && cur.masterReplid !== '?') {
    link.masterReplid = server.replication.replid;
    link.offset = server.replication.offset;
  } else if (cur === null && !atStartup) {
    // A former master can try to continue the new master's stream from its own history.
    link.masterReplid = server.replication.replid;
    link.offset = server.replication.offset;
  }
  server.replicaLink = link;
  for (const db of server.dbs) db.activeExpireAllowed = false;
  // Sub-replicas stay attached, as in Redis: if the new master continues this history under the
  // same ID they never notice; otherwise the link drops them once it knows (a new ID on
  // +CONTINUE, or a full sync), and they continue or resync from this node.
  link.start();
  server.log.warn({ master: `${target.host}:${target.port}` }, 'connecting to MASTER');
}

