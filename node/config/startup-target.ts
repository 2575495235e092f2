// Where a running node serves clients, told by its command line: the container health check
// (bin/healthcheck.js) reads the main process's arguments from /proc and resolves them exactly as
// the node did at startup (config file, includes, `--port`, `--bind`), so no setting of its own
// (an environment variable, say) can disagree with the port the container was started with.
import { loadStartupConfig } from './config.js';

/** The node's entry script, as invoked (`redshard-node`) or resolved (`.../bin/redshard-node.js`). */
const NODE_SCRIPT = /(^|\/)redshard-node(\.js)?$/;

/** /proc/<pid>/cmdline: the arguments, each terminated by a NUL. */
export function splitCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/**
 * The node's own arguments: what follows its entry script, whatever comes before it (the Node
 * binary and V8 flags, or an init such as `docker run --init`'s, which keeps its child's
 * arguments on its own command line). Null when the process is not a redshard-node.
 */
export function nodeArguments(argv: readonly string[]): string[] | null {
  const i = argv.findIndex((a) => NODE_SCRIPT.test(a));
  return i === -1 ? null : argv.slice(i + 1);
}

export interface ClientAddress {
  host: string;
  port: number;
}

/**
 * Where to reach a node started with `args` from inside its container: its port on each address
 * it binds, a wildcard meaning loopback. A relative config file is read from the current
 * directory (the caller moves to the node's). Throws what the node would have refused to start on.
 */
export function clientAddresses(args: readonly string[]): ClientAddress[] {
  const cfg = loadStartupConfig(args);
  const port = cfg.int('port');
  const hosts = cfg
    .get('bind')
    .split(/\s+/)
    .filter((b) => b !== '')
    .map((b) => (b.startsWith('-') ? b.slice(1) : b))
    .map((b) => (b === '*' || b === '0.0.0.0' ? '127.0.0.1' : b === '::*' || b === '::' ? '::1' : b));
  return [...new Set(hosts.length > 0 ? hosts : ['127.0.0.1'])].map((host) => ({ host, port }));
}
