// The encoding thresholds (hash-max-listpack-*, set-max-intset-entries, ...) read on every write
// to a collection: parsed once per server and refreshed when CONFIG SET changes one of them.
import type { Config } from '../config/config.js';
import type { EncodingThresholds } from '../store/values/object.js';

const cache = new WeakMap<Config, EncodingThresholds>();

function read(config: Config): EncodingThresholds {
  return {
    hashMaxListpackEntries: config.int('hash-max-listpack-entries'),
    hashMaxListpackValue: config.int('hash-max-listpack-value'),
    setMaxIntsetEntries: config.int('set-max-intset-entries'),
    zsetMaxListpackEntries: config.int('zset-max-listpack-entries'),
    zsetMaxListpackValue: config.int('zset-max-listpack-value'),
    listMaxListpackSize: config.int('list-max-listpack-size'),
  };
}

/** The last answer: a process normally has one Config, and this skips the WeakMap lookup. */
let lastConfig: Config | null = null;
let lastThresholds: EncodingThresholds | null = null;

export function encodingThresholds(config: Config): EncodingThresholds {
  if (config === lastConfig) return lastThresholds!;
  let t = cache.get(config);
  if (t === undefined) {
    t = read(config);
    cache.set(config, t);
    config.onChange(() => {
      const fresh = read(config);
      cache.set(config, fresh);
      if (lastConfig === config) lastThresholds = fresh;
    });
  }
  lastConfig = config;
  lastThresholds = t;
  return t;
}
