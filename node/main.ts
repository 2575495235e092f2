// redshard-node: started like redis-server (`[config-file] [--directive value ...]`).
import { chdir } from 'node:process';
import { createLogger, pinoLevel } from '../common/log.js';
import { loadStartupConfig, StartupConfigError, type Config } from './config/config.js';
import { Server } from './server/server.js';
import { ClusterManager } from './cluster/manager.js';
import { setupPersistence } from './persistence/setup.js';
import { replicaOf } from './replication/role.js';
import { AofLoadError } from './persistence/aof.js';

export async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write('redshard-node v=7.0.15 (redshard 0.1.0)\n');
    return;
  }
  let config: Config;
  try {
    config = loadStartupConfig(argv);
  } catch (e) {
    if (e instanceof StartupConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const logfile = config.get('logfile');
  const log = createLogger('node', { level: pinoLevel(config.get('loglevel')), ...(logfile ? { file: logfile } : {}) });
  try {
    chdir(config.get('dir'));
  } catch (e) {
    log.fatal({ dir: config.get('dir'), err: (e as Error).message }, "can't chdir to the configured dir");
    process.exit(1);
  }
  for (const name of config.ignored) log.warn({ directive: name }, 'directive accepted and kept for CONFIG GET; it has no effect in redshard');
  const server = new Server(config, log);
  // Handlers go in before the port opens: a SIGTERM sent as soon as the port answers must still
  // shut down cleanly rather than kill the process by the default action.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.warn({ signal }, 'received signal, shutting down');
    const work = server.onShutdown ? server.onShutdown({}) : Promise.resolve();
    // Listener close waits for connections that may never end (idle peers): give it a moment,
    // then exit anyway; everything that must be durable was written by onShutdown.
    const closed = work.then(() => Promise.race([server.close(), new Promise<void>((r) => setTimeout(r, 1000).unref())]));
    void closed
      .catch((e: unknown) => log.error({ err: (e as Error).message }, 'error while shutting down'))
      .finally(() => {
        log.flush();
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    setupPersistence(server);
  } catch (e) {
    if (e instanceof AofLoadError) {
      log.fatal({ err: e.message }, 'could not load the append-only file');
      log.flush();
      process.exit(1);
    }
    throw e;
  }
  try {
    await server.listen();
  } catch (e) {
    log.fatal({ err: (e as Error).message, port: config.int('port') }, 'could not listen');
    process.exit(1);
  }
  if (config.bool('cluster-enabled')) {
    try {
      const cluster = await ClusterManager.start(server, log);
      const previous = server.onShutdown;
      server.onShutdown = async (opts) => {
        if (previous) await previous(opts);
        cluster.save();
        await cluster.close();
      };
    } catch (e) {
      log.fatal({ err: (e as Error).message }, 'could not start cluster mode');
      log.flush();
      process.exit(1);
    }
  }
  log.info({ port: server.port, bind: config.get('bind'), pid: process.pid }, 'Ready to accept connections');
  const master = config.get('replicaof');
  if (master !== '' && !server.clusterEnabled) {
    const [host, port] = master.split(' ');
    replicaOf(server, { host: host!, port: Number(port) }, true);
  }
}
