// Wires persistence into a server at startup: replay the append-only files, then append to them.
import { join } from 'node:path';
import type { Server } from '../server/server.js';
import fs from 'node:fs';
import { AppendOnlyFile, loadAppendOnlyFiles, type FsyncPolicy } from './aof.js';
import { loadRdbImage, rdbPath, saveNow } from './rdb-file.js';
import { bulkLoadBegin, bulkLoadEnd } from './bulk-load-heap.js';

export function setupPersistence(server: Server): void {
  const cfg = server.config;
  const log = server.log.child({ component: 'aof' });
  const dir = join(process.cwd(), cfg.get('appenddirname'));
  const baseName = cfg.get('appendfilename');
  let aof: AppendOnlyFile | null = null;
  const enable = (): void => {
    aof = new AppendOnlyFile(dir, baseName, cfg.get('appendfsync') as FsyncPolicy, log);
    aof.open();
    server.propagator.add(aof);
  };
  if (cfg.bool('appendonly')) {
    const t0 = performance.now();
    bulkLoadBegin();
    let n: number;
    try {
      n = loadAppendOnlyFiles(server, dir, baseName, cfg.bool('aof-load-truncated'), log);
    } finally {
      bulkLoadEnd();
    }
    if (n > 0) log.info({ commands: n, keys: server.dbs.reduce((a, d) => a + d.size, 0), ms: Math.round(performance.now() - t0) }, 'DB loaded from append only file');
    server.dirty = 0;
    enable();
  } else if (fs.existsSync(rdbPath(server))) {
    const t0 = performance.now();
    const n = loadRdbImage(server, fs.readFileSync(rdbPath(server)), false);
    log.info({ keys: n, ms: Math.round(performance.now() - t0), file: rdbPath(server) }, 'DB loaded from disk');
  }
  server.rewriteAppendOnly = (done) => (aof ? aof.startRewrite(server, done) : false);
  server.aofStatus = () => ({ rewriting: aof?.rewriting ?? false, baseSize: aof?.baseSize ?? 0, incrSize: aof?.incrSize ?? 0 });
  const cron = setInterval(() => aof?.maybeAutoRewrite(server), 1000);
  cron.unref();
  cfg.onChange((name, value) => {
    if (name === 'appendfsync' && aof) aof.setPolicy(value as FsyncPolicy);
    if (name === 'appendonly' && value === 'no' && aof) {
      server.propagator.remove(aof);
      aof.close();
      aof = null;
    }
    if (name === 'appendonly' && value === 'yes' && !aof) {
      enable();
      // The dataset so far becomes the base: without it the increments alone would be partial.
      aof!.startRewrite(server);
    }
  });
  const prev = server.onShutdown;
  server.onShutdown = async (opts) => {
    if (prev) await prev(opts);
    if (aof) aof.close();
    const save = opts.save ?? (cfg.get('save').trim() !== '' && !cfg.bool('appendonly'));
    if (save) {
      saveNow(server);
      log.info({ file: rdbPath(server) }, 'DB saved on disk');
    }
  };
}
