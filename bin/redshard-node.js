#!/usr/bin/env node
import { checkNode } from './check-node.js';

checkNode('redshard-node');
// A cache's footprint matters, but so does the cost of garbage collection on every write.
// Measured in bench/ (1M small keys; redis-benchmark writes at -P 16): V8's defaults grow the
// young generation to tens of MB and double the RSS; --optimize-for-size keeps RSS low but pins
// the young generation at 1 MB and makes every full GC a compacting one, which costs about half
// of the write throughput. A 4 MB cap on the young generation plus a fixed 2x old-generation growth
// keeps the RSS of --optimize-for-size at the throughput of the defaults. The young generation is
// sized when V8 starts, so the flags need a fresh process image: re-exec once (same pid).
const HEAP_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=100'];
if (!process.env.REDSHARD_V8_DEFAULTS) {
  const tuned = process.execArgv.some((a) => a.startsWith('--max-semi-space-size'));
  if (!tuned && typeof process.execve === 'function') {
    try {
      process.execve(process.execPath, [process.execPath, ...HEAP_FLAGS, ...process.execArgv, ...process.argv.slice(1)], process.env);
    } catch {
      // Not allowed here (sandbox): run untuned below.
    }
  }
  if (!tuned) {
    // No execve (older Node, or refused): the flag that can still be set from here.
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--optimize-for-size');
    // Bulk loads lift it while they run (node/persistence/bulk-load-heap.ts).
    process.env.REDSHARD_OPTIMIZE_FOR_SIZE = '1';
  }
}
const { main } = await import('../dist/node/main.js');
await main(process.argv.slice(2));
