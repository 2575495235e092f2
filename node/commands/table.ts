// THE command table: every command is declared once, in its group's file, and collected here.
// Dispatch, COMMAND, cluster routing (key positions), MULTI and replica rules all read it.
import type { CommandSpec } from './types.js';
import { stringCommands } from './strings.js';
import { keyCommands } from './keys.js';
import { connectionCommands } from './connection.js';
import { serverCommands } from './server.js';
import { transactionCommands } from './transactions.js';
import { pubsubCommands } from './pubsub.js';
import { clusterCommands } from './cluster.js';
import { hashCommands } from './hashes.js';
import { setCommands } from './sets.js';
import { zsetCommands } from './zsets.js';
import { persistenceCommands } from './persistence.js';
import { replicationCommands } from './replication.js';
import { migrateCommands } from './migrate.js';
import { listCommands } from './lists.js';
import { functionCommands } from './functions.js';
import { bitCommands } from './bits.js';
import { introspectionCommands } from './introspection.js';
import { sortCommands } from './sort.js';
import { lcsCommands } from './lcs.js';

const ALL: readonly CommandSpec[] = [
  ...stringCommands,
  ...keyCommands,
  ...connectionCommands,
  ...serverCommands,
  ...hashCommands,
  ...setCommands,
  ...persistenceCommands,
  ...replicationCommands,
  ...migrateCommands,
  ...clusterCommands,
  ...listCommands,
  ...zsetCommands,
  ...transactionCommands,
  ...pubsubCommands,
  ...functionCommands,
  ...bitCommands,
  ...introspectionCommands,
  ...sortCommands,
  ...lcsCommands,
];

const byName = new Map<string, CommandSpec>();
for (const c of ALL) {
  if (byName.has(c.name)) throw new Error(`command ${c.name} declared twice`);
  byName.set(c.name, c);
}

export function lookupCommand(lowerName: string): CommandSpec | undefined {
  return byName.get(lowerName);
}

export function allCommands(): readonly CommandSpec[] {
  return ALL;
}

const NO_KEYS: number[] = [];

/** Positions of the key arguments of a request. */
export function keyIndexes(spec: CommandSpec, argv: readonly string[]): number[] {
  if (spec.keysOf) return spec.keysOf(argv);
  const k = spec.keys;
  if (k === undefined || k.first === 0) return NO_KEYS;
  const last = k.last < 0 ? argv.length + k.last : k.last;
  const out: number[] = [];
  for (let i = k.first; i <= last && i < argv.length; i += k.step) out.push(i);
  return out;
}
