// bin/redshard-node.js runs V8 with --optimize-for-size so that RSS follows the dataset. While a
// dataset is being loaded in bulk (a replica's full sync, an RDB or AOF at start) the heap only
// grows, and that mode's memory-reducing collections rescan it again and again: measured to
// double the CPU of loading 1,000,000 keys. The mode is lifted for the duration of a load.
import v8 from 'node:v8';

let loads = 0;

function sizeMode(): boolean {
  return process.env.REDSHARD_OPTIMIZE_FOR_SIZE === '1';
}

/** Starts a bulk load; every call must be matched by one bulkLoadEnd(). */
export function bulkLoadBegin(): void {
  if (loads++ === 0 && sizeMode()) v8.setFlagsFromString('--no-optimize-for-size');
}

export function bulkLoadEnd(): void {
  if (loads === 0) return;
  if (--loads === 0 && sizeMode()) v8.setFlagsFromString('--optimize-for-size');
}
