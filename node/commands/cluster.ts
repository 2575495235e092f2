// CLUSTER subcommands, ASKING, READONLY, READWRITE (facts §6.4, §7.1-7.2, §8).
import net from 'node:net';
import type { CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail, parseIntStrict } from './args.js';
import { keySlot, SLOT_COUNT, slotRanges } from '../../common/slots.js';
import { formatNodeLine } from '../../common/cluster-nodes.js';
import { ClusterManager } from '../cluster/manager.js';
import { countFailureReports } from '../cluster/failure.js';
import { describeNode, formatClusterNodes } from '../cluster/nodes-conf.js';
import {
  addSlot,
  bumpEpochWithoutConsensus,
  delSlot,
  FORGET_BAN_MS,
  isFailed,
  isMaster,
  isMaybeFailed,
  isReplica,
  masterOf,
  randomNodeId,
  renameNode,
  setAsMaster,
  setMyMaster,
  startHandshake,
  type ClusterNode,
} from '../cluster/state.js';
import { MSG_TYPE_NAMES, slotBitGet } from '../bus/messages.js';
import { runParked } from './migrate.js';
import { importSlots } from '../migration/slot-import.js';
import { abortExportsOf, DEFAULT_EXPORT_RATE, exportOf, SlotExport } from '../migration/slot-export.js';
import { abortImports, abortImportsOf, importMarks } from '../migration/outcome.js';

function manager(ctx: Ctx): ClusterManager {
  const m = ctx.server.cluster;
  if (!(m instanceof ClusterManager)) fail(E.clusterDisabled);
  return m;
}

/** Subcommand arities as in Redis 7.0's command table (negative = at least). */
const SUB_ARITY: Record<string, number> = {
  addslots: -3,
  addslotsrange: -4,
  bumpepoch: 2,
  'count-failure-reports': 3,
  countkeysinslot: 3,
  delslots: -3,
  delslotsrange: -4,
  'export-ack': 3,
  'export-commit': 2,
  'export-outcome': 5,
  'export-slots': -5,
  'import-slots': -7,
  failover: -2,
  flushslots: 2,
  forget: 3,
  getkeysinslot: 4,
  help: 2,
  info: 2,
  keyslot: 3,
  links: 2,
  meet: -4,
  myid: 2,
  myshardid: 2,
  nodes: 2,
  replicate: 3,
  replicas: 3,
  reset: -2,
  saveconfig: 2,
  'set-config-epoch': 3,
  setslot: -4,
  shards: 2,
  slaves: 3,
  slots: 2,
};

const HELP = [
  'CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ADDSLOTS <slot> [<slot> ...]',
  '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH',
  '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>',
  '    Return number of failure reports for <node-id>.',
  'COUNTKEYSINSLOT <slot>',
  '    Return the number of keys in <slot>.',
  'DELSLOTS <slot> [<slot> ...]',
  '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]',
  '    Promote current replica node to being a master.',
  'FORGET <node-id>',
  '    Remove a node from the cluster.',
  'GETKEYSINSLOT <slot> <count>',
  '    Return key names stored by current node in a slot.',
  'FLUSHSLOTS',
  '    Delete current node own slots information.',
  'INFO',
  '    Return information about the cluster.',
  'KEYSLOT <key>',
  '    Return the hash slot for <key>.',
  'MEET <ip> <port> [<bus-port>]',
  '    Connect nodes into a working cluster.',
  'MYID',
  '    Return the node id.',
  'NODES',
  '    Return cluster configuration seen by node. Output format:',
  '    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICATE <node-id>',
  '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]',
  '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>',
  '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)',
  '    Set slot state.',
  'REPLICAS <node-id>',
  '    Return <node-id> replicas.',
  'SAVECONFIG',
  '    Force saving cluster configuration on disk.',
  'SLOTS',
  '    Return information about slots range mappings. Each range is made of:',
  '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS',
  '    Return information about slot range mappings and the nodes associated with them.',
  'LINKS',
  '    Return information about all network links between this node and its peers.',
  '    Output format is an array where each array element is a map containing attributes of a link',
  'HELP',
  '    Prints this help.',
];

function slotArg(s: string): number {
  const n = parseIntStrict(s);
  if (n === null || n < 0 || n >= SLOT_COUNT) fail(E.clusterBadSlot);
  return n;
}

function lookup(m: ClusterManager, id: string): ClusterNode | undefined {
  return m.state.nodes.get(id);
}

function clusterCommand(ctx: Ctx, argv: string[]): void {
  const sub = argv[1]!.toLowerCase();
  const arity = SUB_ARITY[sub];
  if (arity === undefined) fail(E.unknownSubcommand(argv[1]!, 'cluster'));
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) fail(E.subArity('cluster', sub));
  if (sub === 'help') {
    ctx.out.array(HELP.length);
    for (const l of HELP) ctx.out.simple(l);
    return;
  }
  const m = manager(ctx);
  const st = m.state;
  const out = ctx.out;
  const db = ctx.server.dbs[0]!;
  switch (sub) {
    case 'myid':
      return out.bulk(st.myself.id);
    case 'myshardid':
      return out.bulk(st.myself.shardId);
    case 'info':
      return out.verbatim(clusterInfo(m));
    case 'nodes':
      return out.verbatim(formatClusterNodes(st, importMarks(m)));
    case 'keyslot':
      return out.int(keySlot(argv[2]!));
    case 'countkeysinslot': {
      const n = parseIntStrict(argv[2]!);
      if (n === null) fail(E.notInteger);
      if (n < 0 || n >= SLOT_COUNT) fail(E.clusterInvalidSlot);
      return out.int(db.countInSlot(n));
    }
    case 'getkeysinslot': {
      const slot = parseIntStrict(argv[2]!);
      const count = parseIntStrict(argv[3]!);
      if (slot === null || count === null) fail(E.notInteger);
      if (slot < 0 || slot >= SLOT_COUNT || count < 0) fail(E.clusterInvalidSlotOrCount);
      const all = db.keysInSlot(slot, Number.MAX_SAFE_INTEGER);
      // Redis lists the most recently added keys first.
      const keys: string[] = [];
      for (let i = all.length - 1; i >= 0 && keys.length < count; i--) keys.push(all[i]!);
      return out.bulks(keys);
    }
    case 'addslots':
    case 'delslots':
    case 'addslotsrange':
    case 'delslotsrange': {
      const del = sub.startsWith('del');
      const slots: number[] = [];
      if (sub.endsWith('range')) {
        if (argv.length % 2 === 1) fail(E.subArity('cluster', sub));
        for (let i = 2; i < argv.length; i += 2) {
          const a = slotArg(argv[i]!);
          const b = slotArg(argv[i + 1]!);
          if (a > b) fail(E.clusterStartAfterEnd(a, b));
          for (let s = a; s <= b; s++) slots.push(s);
        }
      } else for (let i = 2; i < argv.length; i++) slots.push(slotArg(argv[i]!));
      const seen = new Set<number>();
      for (const s of slots) {
        if (del && st.owners[s] === null) fail(E.clusterSlotUnassigned(s));
        if (!del && st.owners[s] !== null) fail(E.clusterSlotBusy(s));
        if (seen.has(s)) fail(E.clusterSlotTwice(s));
        seen.add(s);
      }
      for (const s of slots) {
        if (del) delSlot(st, s);
        else {
          st.importing.delete(s);
          addSlot(st, st.myself, s);
        }
      }
      m.commit({ durable: false });
      return out.ok();
    }
    case 'flushslots':
      if (db.size !== 0) fail(E.clusterFlushSlotsNotEmpty);
      for (let s = 0; s < SLOT_COUNT; s++) if (st.owners[s] === st.myself) delSlot(st, s);
      m.commit({ durable: false });
      return out.ok();
    case 'setslot':
      return setSlot(ctx, m, argv);
    case 'import-slots':
    case 'export-slots':
    case 'export-commit':
    case 'export-ack':
    case 'export-outcome':
      return slotMove(ctx, m, sub, argv);
    case 'meet': {
      const ip = argv[2]!;
      const port = parseIntStrict(argv[3]!);
      if (port === null) fail(E.clusterBadPort(argv[3]!));
      let cport = port + 10000;
      if (argv.length === 5) {
        const c = parseIntStrict(argv[4]!);
        if (c === null) fail(E.clusterBadBusPort(argv[4]!));
        cport = c;
      } else if (argv.length > 5) fail(E.syntax);
      const family = net.isIP(ip);
      if (family === 0 || port <= 0 || port > 65535 || cport <= 0 || cport > 65535) fail(E.clusterBadAddress(ip, argv[3]!));
      startHandshake(st, family === 6 ? normaliseV6(ip) : ip, port, cport, ctx.now);
      return out.ok();
    }
    case 'forget': {
      const n = lookup(m, argv[2]!);
      if (n === undefined) fail(E.clusterUnknownNode(argv[2]!));
      if (n === st.myself) fail(E.clusterForgetMyself);
      if (isReplica(st.myself) && st.myself.masterId === n.id) fail(E.clusterForgetMaster);
      st.blacklist.set(n.id, ctx.now + FORGET_BAN_MS);
      m.deleteNode(n);
      m.commit({ durable: false });
      return out.ok();
    }
    case 'reset': {
      let hard = false;
      if (argv.length === 3) {
        const o = argv[2]!.toLowerCase();
        if (o === 'hard') hard = true;
        else if (o !== 'soft') fail(E.syntax);
      } else if (argv.length > 3) fail(E.clusterSubArgs('reset'));
      if (isMaster(st.myself) && db.size !== 0) fail(E.clusterResetWithKeys);
      if (isReplica(st.myself)) {
        setAsMaster(st, st.myself);
        for (const d of ctx.server.dbs) d.flush();
      }
      for (let s = 0; s < SLOT_COUNT; s++) delSlot(st, s);
      st.migrating.clear();
      st.importing.clear();
      for (const n of [...st.nodes.values()]) if (n !== st.myself) m.deleteNode(n);
      if (hard) {
        st.currentEpoch = 0;
        st.lastVoteEpoch = 0;
        st.myself.configEpoch = 0;
        renameNode(st, st.myself, randomNodeId());
        st.myself.shardId = randomNodeId();
      }
      m.commit();
      return out.ok();
    }
    case 'saveconfig':
      m.save();
      return out.ok();
    case 'count-failure-reports': {
      const n = lookup(m, argv[2]!);
      if (n === undefined) fail(E.clusterUnknownNode(argv[2]!));
      return out.int(countFailureReports(st, n, ctx.now));
    }
    case 'replicas':
    case 'slaves': {
      const n = lookup(m, argv[2]!);
      if (n === undefined) fail(E.clusterUnknownNode(argv[2]!));
      if (!isMaster(n)) fail(E.clusterNotMaster);
      const lines: string[] = [];
      for (const r of st.nodes.values()) if (isReplica(r) && r.masterId === n.id) lines.push(formatNodeLine(describeNode(st, r)));
      return out.bulks(lines);
    }
    case 'bumpepoch': {
      const bumped = bumpEpochWithoutConsensus(st);
      if (bumped) m.commit();
      return out.simple(`${bumped ? 'BUMPED' : 'STILL'} ${st.myself.configEpoch}`);
    }
    case 'set-config-epoch': {
      const e = parseIntStrict(argv[2]!);
      if (e === null) fail(E.notInteger);
      if (e < 0) fail(E.clusterBadConfigEpoch(argv[2]!));
      if (st.nodes.size > 1) fail(E.clusterConfigEpochOthers);
      if (st.myself.configEpoch !== 0) fail(E.clusterConfigEpochNonZero);
      st.myself.configEpoch = e;
      if (st.currentEpoch < e) st.currentEpoch = e;
      m.commit();
      return out.ok();
    }
    case 'replicate': {
      const n = lookup(m, argv[2]!);
      if (n === undefined) fail(E.clusterUnknownNode(argv[2]!));
      if (n === st.myself) fail(E.clusterReplicateMyself);
      if (isReplica(n)) fail(E.clusterReplicateReplica);
      if (isMaster(st.myself) && (st.myself.numSlots !== 0 || db.size !== 0)) fail(E.clusterReplicateNotEmpty);
      setMyMaster(st, n);
      m.commit();
      return out.ok();
    }
    case 'failover': {
      let mode: 'default' | 'force' | 'takeover' = 'default';
      if (argv.length === 3) {
        const o = argv[2]!.toLowerCase();
        if (o === 'force') mode = 'force';
        else if (o === 'takeover') mode = 'takeover';
        else fail(E.syntax);
      } else if (argv.length > 3) fail(E.clusterSubArgs('failover'));
      if (isMaster(st.myself)) fail(E.clusterFailoverOnMaster);
      const master = masterOf(st, st.myself);
      if (master === null || master === st.myself) fail(E.clusterFailoverMasterUnknown);
      if (mode === 'default' && (isFailed(master) || !master.linked)) fail(E.clusterFailoverMasterDown);
      m.startManualFailover(mode, ctx.now);
      return out.ok();
    }
    case 'slots':
      return clusterSlots(ctx, m);
    case 'shards':
      return clusterShards(ctx, m);
    case 'links':
      return clusterLinks(ctx, m);
  }
}

function normaliseV6(ip: string): string {
  // Node's URL parser canonicalises IPv6 literals the way inet_ntop does.
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

function setSlot(ctx: Ctx, m: ClusterManager, argv: string[]): void {
  const st = m.state;
  const db = ctx.server.dbs[0]!;
  if (isReplica(st.myself)) fail(E.clusterSetSlotReplica);
  const slot = slotArg(argv[2]!);
  const action = argv[3]!.toLowerCase();
  const target = (): ClusterNode => {
    const n = lookup(m, argv[4]!);
    if (n === undefined) fail(E.clusterDontKnow(argv[4]!));
    if (!isMaster(n)) fail(E.clusterTargetNotMaster);
    return n;
  };
  // An atomic import or export of the slot that has not handed it over yet gives way to any
  // SETSLOT of it: an operator or redis-cli (--cluster fix, or a classic migration resuming the
  // open slot the import shows) is taking the slot in hand, and a classic migration running
  // beside the export would have its moved keys deleted by the export's stream.
  const giveWay = (): void => {
    abortImportsOf(m, slot, `CLUSTER SETSLOT ${slot} ${action.toUpperCase()}`);
    abortExportsOf(m, slot, `CLUSTER SETSLOT ${slot} ${action.toUpperCase()}`);
  };
  if (action === 'migrating' && argv.length === 5) {
    if (st.owners[slot] !== st.myself) fail(E.clusterNotOwner(slot));
    const id = target().id;
    giveWay();
    st.migrating.set(slot, id);
  } else if (action === 'importing' && argv.length === 5) {
    if (st.owners[slot] === st.myself) fail(E.clusterAlreadyOwner(slot));
    const id = target().id;
    giveWay();
    st.importing.set(slot, id);
  } else if (action === 'stable' && argv.length === 4) {
    giveWay();
    st.migrating.delete(slot);
    st.importing.delete(slot);
  } else if (action === 'node' && argv.length === 5) {
    const n = lookup(m, argv[4]!);
    if (n === undefined) fail(E.clusterUnknownNode(argv[4]!));
    if (!isMaster(n)) fail(E.clusterTargetNotMaster);
    const keys = db.countInSlot(slot);
    if (st.owners[slot] === st.myself && n !== st.myself && keys !== 0) fail(E.clusterStillHoldKeys(slot));
    // Already so, without marks (the importer's PONG got here first during a reshard): nothing
    // changes, nothing to write.
    if (st.owners[slot] === n && !st.migrating.has(slot) && !st.importing.has(slot) && !slotBitGet(st.notClaiming, slot)) return ctx.out.ok();
    if (keys === 0) st.migrating.delete(slot);
    const wasMine = st.owners[slot] === st.myself;
    delSlot(st, slot);
    addSlot(st, n, slot);
    let durable = false;
    if (wasMine && n !== st.myself && st.myself.numSlots === 0 && st.opts.allowReplicaMigration) {
      setMyMaster(st, n);
      durable = true;
    }
    let broadcast = false;
    if (n === st.myself && st.importing.has(slot)) {
      // Only a new configEpoch needs the fsync (Redis: the bump asks for it, the rest does not).
      if (bumpEpochWithoutConsensus(st)) {
        m.log.info({ configEpoch: st.myself.configEpoch, slot }, 'configEpoch updated after importing slot');
        durable = true;
      }
      st.importing.delete(slot);
      broadcast = true;
    }
    m.commit({ durable });
    if (broadcast) m.broadcastPongSoon();
    return ctx.out.ok();
  } else fail(E.clusterSetSlotAction);
  m.commit({ durable: false });
  ctx.out.ok();
}

/**
 * Atomic whole-slot migration, our own extension (see node/migration/slot-export.ts).
 * IMPORT-SLOTS runs on the target and replies +OK once the target owns the slots (the client
 * waits, as for MIGRATE); EXPORT-SLOTS / EXPORT-COMMIT are the source side, sent by the target.
 */
function slotMove(ctx: Ctx, m: ClusterManager, sub: string, argv: string[]): void {
  const st = m.state;
  // EXPORT-OUTCOME is answered by a target demoted to replica too: its source waits for it.
  if (isReplica(st.myself) && sub !== 'export-outcome') fail(E.clusterSetSlotReplica);
  if (sub === 'export-ack') {
    // No reply: the target reads only the export stream on this connection.
    exportOf(ctx.session)?.ack(Number(argv[2]));
    return;
  }
  if (sub === 'export-commit') {
    const exp = exportOf(ctx.session);
    if (exp === undefined || !exp.commit()) fail(E.slotMoveNoExport);
    return ctx.out.ok();
  }
  const start = slotArg(argv[2]!);
  const end = slotArg(argv[3]!);
  if (start > end) fail(E.clusterStartAfterEnd(start, end));
  if (sub === 'export-outcome') {
    // Asked by a source whose export was interrupted after its pause (node/migration/outcome.ts).
    let mine = true;
    for (let s = start; s <= end && mine; s++) if (st.owners[s] !== st.myself) mine = false;
    if (mine) return ctx.out.simple('CLAIMED');
    abortImports(start, end, `source ${argv[4]!} asked for the outcome`);
    return ctx.out.simple('ABORTED');
  }
  if (sub === 'export-slots') {
    const rate = rateOption(argv, 5);
    const target = lookup(m, argv[4]!);
    if (target === undefined) fail(E.clusterUnknownNode(argv[4]!));
    if (!isMaster(target) || target === st.myself) fail(E.clusterTargetNotMaster);
    for (let s = start; s <= end; s++) if (st.owners[s] !== st.myself) fail(E.slotMoveNotMine(s));
    if (exportOf(ctx.session) !== undefined) fail(E.slotMoveBusy);
    // No reply: the connection now carries the export stream (RESTORE/DEL, then EXPORT-PAUSED).
    const exp = new SlotExport(ctx.server, m, ctx.session, start, end, target, rate);
    exp.run().catch((e: unknown) => exp.abort(`export failed: ${(e as Error).message}`));
    return;
  }
  if (argv[4]!.toLowerCase() !== 'from') fail(E.slotMoveSyntax);
  const rate = argv.length > 7 ? rateOption(argv, 7) : undefined;
  const port = parseIntStrict(argv[6]!);
  if (port === null || port <= 0 || port > 65535) fail(E.slotMoveSyntax);
  for (let s = start; s <= end; s++) if (st.owners[s] === st.myself) fail(E.slotMoveAlreadyMine(s));
  const host = argv[5]!;
  const server = ctx.server;
  runParked(server, ctx.session, async () => {
    const r = await importSlots(server, m, start, end, host, port, rate);
    if ('error' in r) return { error: r.error };
    const { keys, ms, ...pause } = r.ok;
    m.log.info({ start, end, keys, ms: Math.round(ms), keysPerSec: Math.round((keys * 1000) / ms), ...pause }, 'slots imported');
    return { status: 'OK' };
  });
}

/** Optional trailing `RATE <keys-per-second>` of IMPORT-SLOTS / EXPORT-SLOTS (0 = unpaced). */
function rateOption(argv: string[], at: number): number {
  if (argv.length === at) return DEFAULT_EXPORT_RATE;
  if (argv.length !== at + 2 || argv[at]!.toLowerCase() !== 'rate') fail(E.slotMoveSyntax);
  const n = parseIntStrict(argv[at + 1]!);
  if (n === null || n < 0) fail(E.slotMoveSyntax);
  return n;
}

function clusterInfo(m: ClusterManager): string {
  const st = m.state;
  let assigned = 0;
  let pfail = 0;
  let failed = 0;
  for (let s = 0; s < SLOT_COUNT; s++) {
    const o = st.owners[s];
    if (o === null || o === undefined) continue;
    assigned++;
    if (isFailed(o)) failed++;
    else if (isMaybeFailed(o)) pfail++;
  }
  const lines = [
    `cluster_state:${st.ok ? 'ok' : 'fail'}`,
    `cluster_slots_assigned:${assigned}`,
    `cluster_slots_ok:${assigned - pfail - failed}`,
    `cluster_slots_pfail:${pfail}`,
    `cluster_slots_fail:${failed}`,
    `cluster_known_nodes:${st.nodes.size}`,
    `cluster_size:${st.size}`,
    `cluster_current_epoch:${st.currentEpoch}`,
    `cluster_my_epoch:${masterOf(st, st.myself)?.configEpoch ?? 0}`,
  ];
  let sent = 0;
  let received = 0;
  st.stats.sent.forEach((n, t) => {
    if (n > 0) lines.push(`cluster_stats_messages_${MSG_TYPE_NAMES[t]}_sent:${n}`);
    sent += n;
  });
  lines.push(`cluster_stats_messages_sent:${sent}`);
  st.stats.received.forEach((n, t) => {
    if (n > 0) lines.push(`cluster_stats_messages_${MSG_TYPE_NAMES[t]}_received:${n}`);
    received += n;
  });
  lines.push(`cluster_stats_messages_received:${received}`, 'total_cluster_links_buffer_limit_exceeded:0');
  return lines.join('\r\n') + '\r\n';
}

function nodeEntry(ctx: Ctx, m: ClusterManager, n: ClusterNode): void {
  const out = ctx.out;
  const type = ctx.server.config.get('cluster-preferred-endpoint-type');
  const endpoint = m.endpoint(n);
  out.array(4);
  out.bulk(endpoint.slice(0, endpoint.lastIndexOf(':')));
  out.int(n.port);
  out.bulk(n.id);
  const meta: [string, string][] = [];
  if (type !== 'ip') meta.push(['ip', n.ip]);
  if (type !== 'hostname' && n.hostname !== '') meta.push(['hostname', n.hostname]);
  out.map(meta.length);
  for (const [k, v] of meta) {
    out.bulk(k);
    out.bulk(v);
  }
}

function clusterSlots(ctx: Ctx, m: ClusterManager): void {
  const st = m.state;
  const ranges: { start: number; end: number; node: ClusterNode }[] = [];
  let start = -1;
  for (let s = 0; s <= SLOT_COUNT; s++) {
    const o = s < SLOT_COUNT ? st.owners[s] : null;
    if (start !== -1 && (o !== st.owners[start] || s === SLOT_COUNT)) {
      ranges.push({ start, end: s - 1, node: st.owners[start]! });
      start = -1;
    }
    if (start === -1 && o !== null && o !== undefined) start = s;
  }
  ctx.out.array(ranges.length);
  for (const r of ranges) {
    const replicas = [...st.nodes.values()].filter((n) => isReplica(n) && n.masterId === r.node.id && !isFailed(n) && n.replOffset !== 0);
    ctx.out.array(3 + replicas.length);
    ctx.out.int(r.start);
    ctx.out.int(r.end);
    nodeEntry(ctx, m, r.node);
    for (const n of replicas) nodeEntry(ctx, m, n);
  }
}

function clusterShards(ctx: Ctx, m: ClusterManager): void {
  const st = m.state;
  const out = ctx.out;
  const masters = [...st.nodes.values()].filter((n) => isMaster(n));
  out.array(masters.length);
  for (const master of masters) {
    out.map(2);
    out.bulk('slots');
    const ranges = master.numSlots === 0 ? [] : slotRanges((s) => st.owners[s] === master);
    out.array(ranges.length * 2);
    for (const r of ranges) {
      out.int(r.start);
      out.int(r.end);
    }
    out.bulk('nodes');
    const members = [master, ...[...st.nodes.values()].filter((n) => isReplica(n) && n.masterId === master.id)];
    out.array(members.length);
    for (const n of members) {
      const fields: [string, string | number][] = [['id', n.id], ['port', n.port], ['ip', n.ip], ['endpoint', m.endpoint(n).slice(0, m.endpoint(n).lastIndexOf(':'))]];
      if (n.hostname !== '') fields.push(['hostname', n.hostname]);
      fields.push(['role', isMaster(n) ? 'master' : 'replica'], ['replication-offset', n.replOffset]);
      fields.push(['health', isFailed(n) ? 'fail' : isReplica(n) && n.replOffset === 0 ? 'loading' : 'online']);
      out.map(fields.length);
      for (const [k, v] of fields) {
        out.bulk(k);
        if (typeof v === 'number') out.int(v);
        else out.bulk(v);
      }
    }
  }
}

function clusterLinks(ctx: Ctx, m: ClusterManager): void {
  const links = [...m.bus.outbound.values(), ...[...m.bus.inbound].filter((l) => l.node !== null)];
  const out = ctx.out;
  out.array(links.length);
  for (const l of links) {
    out.map(6);
    out.bulk('direction');
    out.bulk(l.outbound ? 'to' : 'from');
    out.bulk('node');
    out.bulk(l.node!.id);
    out.bulk('create-time');
    out.int(l.ctime);
    out.bulk('events');
    out.bulk(l.socket.writableLength > 0 ? 'rw' : 'r');
    out.bulk('send-buffer-allocated');
    out.int(l.sendBufferPeak);
    out.bulk('send-buffer-used');
    out.int(l.socket.writableLength);
  }
}

function asking(ctx: Ctx): void {
  manager(ctx);
  ctx.session.asking = true;
  ctx.out.ok();
}

function readonly(ctx: Ctx): void {
  manager(ctx);
  ctx.session.readonlyMode = true;
  ctx.out.ok();
}

function readwrite(ctx: Ctx): void {
  manager(ctx);
  ctx.session.readonlyMode = false;
  ctx.out.ok();
}

export const clusterCommands: readonly CommandSpec[] = [
  { name: 'cluster', arity: -2, flags: ['admin', 'stale'], group: 'cluster', handler: clusterCommand },
  { name: 'asking', arity: 1, flags: ['fast'], group: 'cluster', handler: asking },
  { name: 'readonly', arity: 1, flags: ['loading', 'stale', 'fast'], group: 'cluster', handler: readonly },
  { name: 'readwrite', arity: 1, flags: ['loading', 'stale', 'fast'], group: 'cluster', handler: readwrite },
];
