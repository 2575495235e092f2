#!/usr/bin/env node
import { checkNode } from './check-node.js';

checkNode('redshard-node');
// A cache's footprint matters more than peak allocation speed: keep V8's heap growth tight so
// RSS follows the dataset (measured in bench/: about half the RSS for 1M small keys).
const v8 = await import('node:v8');
if (!process.env.REDSHARD_V8_DEFAULTS) {
  v8.setFlagsFromString('--optimize-for-size');
  // Bulk loads lift it while they run (node/persistence/bulk-load-heap.ts).
  process.env.REDSHARD_OPTIMIZE_FOR_SIZE = '1';
}
const { main } = await import('../dist/node/main.js');
await main(process.argv.slice(2));
