// Wires persistence into a server at startup: replay the append-only files, then append to them.
import { join } from 'node:path';
import type { Server } from '../server/server.js';
import { AppendOnlyFile, loadAppendOnlyFiles, type FsyncPolicy } from './aof.js';

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
    const n = loadAppendOnlyFiles(server, dir, baseName, cfg.bool('aof-load-truncated'), log);
    if (n > 0) log.info({ commands: n, keys: server.dbs.reduce((a, d) => a + d.size, 0), ms: Math.round(performance.now() - t0) }, 'DB loaded from append only file');
    server.dirty = 0;
    enable();
  }
  cfg.onChange((name, value) => {
    if (name === 'appendfsync' && aof) aof.setPolicy(value as FsyncPolicy);
    if (name === 'appendonly' && value === 'no' && aof) {
      server.propagator.remove(aof);
      aof.close();
      aof = null;
    }
    if (name === 'appendonly' && value === 'yes' && !aof) {
      // The current dataset must become the base before appending makes sense.
      server.rewriteAppendOnly?.();
      enable();
    }
  });
  const prev = server.onShutdown;
  server.onShutdown = async () => {
    if (prev) await prev();
    if (aof) aof.close();
  };
}
