// Failure detection (facts §3.3-3.4): PFAIL from missing PONGs, failure reports gossiped by
// masters, FAIL by a majority of slot-owning masters, and clearing FAIL when a node is back.
import { NodeFlag } from '../bus/messages.js';
import {
  FAIL_REPORT_VALIDITY_MULT,
  FAIL_UNDO_TIME_MULT,
  isFailed,
  isMaster,
  isMaybeFailed,
  isReplica,
  type ClusterNode,
  type ClusterState,
  type Effect,
} from './state.js';

export function addFailureReport(node: ClusterNode, reporter: ClusterNode, now: number): void {
  node.failReports.set(reporter.id, now);
}

export function removeFailureReport(node: ClusterNode, reporter: ClusterNode): boolean {
  return node.failReports.delete(reporter.id);
}

/** Number of reports younger than twice the node timeout (older ones are dropped). */
export function countFailureReports(st: ClusterState, node: ClusterNode, now: number): number {
  const maxAge = st.opts.nodeTimeout * FAIL_REPORT_VALIDITY_MULT;
  for (const [id, at] of node.failReports) if (now - at > maxAge) node.failReports.delete(id);
  return node.failReports.size;
}

/** PFAIL -> FAIL once enough masters agree; broadcasts FAIL. */
export function markFailingIfNeeded(st: ClusterState, node: ClusterNode, now: number, fx: Effect[]): void {
  const needed = Math.floor(st.size / 2) + 1;
  if (!isMaybeFailed(node) || isFailed(node)) return;
  let failures = countFailureReports(st, node, now);
  if (isMaster(st.myself)) failures++;
  if (failures < needed) return;
  fx.push({ t: 'log', level: 'info', msg: 'Marking node as failing (quorum reached)', fields: { node: node.id, reports: failures } });
  node.flags = (node.flags & ~NodeFlag.PFAIL) | NodeFlag.FAIL;
  node.failTime = now;
  fx.push({ t: 'broadcast-fail', id: node.id }, { t: 'update-state' }, { t: 'save' });
}

/** Called when a FAIL node answers again. */
export function clearFailureIfNeeded(st: ClusterState, node: ClusterNode, now: number, fx: Effect[]): void {
  if (!isFailed(node)) return;
  if (isReplica(node) || node.numSlots === 0) {
    fx.push({ t: 'log', level: 'info', msg: 'Clear FAIL state: node is reachable again', fields: { node: node.id } });
  } else if (now - node.failTime > st.opts.nodeTimeout * FAIL_UNDO_TIME_MULT) {
    fx.push({ t: 'log', level: 'info', msg: 'Clear FAIL state: master is reachable again and nobody served its slots', fields: { node: node.id } });
  } else return;
  node.flags &= ~NodeFlag.FAIL;
  fx.push({ t: 'update-state' }, { t: 'save' });
}

/** Marks PFAIL on nodes whose PING has gone unanswered (and no data came) for the node timeout. */
export function detectPfail(st: ClusterState, node: ClusterNode, now: number, fx: Effect[]): void {
  if (node.pingSent === 0) return;
  const delay = Math.min(now - node.pingSent, now - node.dataReceived);
  if (delay > st.opts.nodeTimeout && (node.flags & (NodeFlag.PFAIL | NodeFlag.FAIL)) === 0) {
    node.flags |= NodeFlag.PFAIL;
    fx.push({ t: 'log', level: 'info', msg: 'node possibly failing (PFAIL)', fields: { node: node.id } }, { t: 'update-state' });
  }
}
