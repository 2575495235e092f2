// Which program a local member runs. THE one place the default is chosen: `redshard-node` (our own
// node, bin/redshard-node.js run on this Node) once it speaks cluster mode; until then
// `--node-command redis-server` or REDSHARD_NODE_COMMAND=redis-server selects Debian's server.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const DEFAULT_NODE_COMMAND = 'redshard-node';

// Runs both from dist/ and (under vitest) from the sources: find the package root by walking up.
function packageRoot(): string {
  let d = import.meta.dirname;
  while (!existsSync(resolve(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}
const PACKAGE_ROOT = packageRoot();
const NODE_BIN = resolve(PACKAGE_ROOT, 'bin', 'redshard-node.js');

export function defaultNodeCommand(): string {
  return process.env.REDSHARD_NODE_COMMAND || DEFAULT_NODE_COMMAND;
}

/** argv[0..] to spawn for a node command name or path: a .js file runs on this process's Node. */
export function resolveNodeCommand(command: string): string[] {
  if (command === 'redshard-node') return [process.execPath, NODE_BIN];
  if (command.endsWith('.js')) return [process.execPath, resolve(command)];
  return [command];
}

export function nodeCommandAvailable(command: string): boolean {
  const argv = resolveNodeCommand(command);
  if (argv[0] === process.execPath) return existsSync(argv[1]!);
  if (argv[0]!.includes('/')) return existsSync(argv[0]!);
  const paths = (process.env.PATH ?? '').split(':');
  return paths.some((p) => p && existsSync(resolve(p, argv[0]!)));
}

/** The program a member runs for a spec's image: local mode writes images as `local:<command>`
 * (e.g. local:redis-server, local:redshard-node), so changing the image switches the program and
 * rolls the members; any other image (a container image) leaves the cluster's own command. */
export function nodeCommandForImage(image: string, fallback: readonly string[]): string[] {
  if (image.startsWith('local:') && image.length > 'local:'.length) return resolveNodeCommand(image.slice('local:'.length));
  return [...fallback];
}
