// FUNCTION without a script engine: this node never holds a library, so LIST is empty, DUMP is the
// empty payload, and RESTORE accepts only payloads without libraries. That is what
// `redis-cli --cluster add-node` needs when the cluster's reference node is a redis-server.
import type { CommandSpec, Ctx } from './types.js';
import { E } from './errors.js';
import { fail } from './args.js';
import { crc64 } from '../migration/crc64.js';
import { RDB_VERSION, verifyDumpPayload } from '../migration/dump-payload.js';

/** RDB version (2 bytes LE) then CRC64 (8 bytes LE) of those bytes: Redis's dump of no library. */
function emptyFunctionsPayload(): string {
  const b = Buffer.alloc(10);
  b.writeUInt16LE(RDB_VERSION, 0);
  b.writeBigUInt64LE(crc64(b, 0, 2), 2);
  return b.toString('latin1');
}

function list(ctx: Ctx, argv: string[]): void {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!.toLowerCase();
    if (a === 'withcode') continue;
    if (a === 'libraryname') {
      if (++i >= argv.length) fail(E.functionLibraryNameMissing);
      continue;
    }
    fail(E.functionUnknownArgument(argv[i]!));
  }
  ctx.out.array(0);
}

function restore(ctx: Ctx, argv: string[]): void {
  if (argv.length > 4) fail(E.subcommandSyntax(argv[1]!, 'function'));
  if (argv.length === 4 && !['flush', 'append', 'replace'].includes(argv[3]!.toLowerCase())) fail(E.functionRestorePolicy);
  const payload = Buffer.from(argv[2]!, 'latin1');
  if (!verifyDumpPayload(payload)) fail(E.dumpChecksum);
  if (payload.length > 10) fail(E.functionEngineMissing);
  ctx.out.ok();
}

function functionCommand(ctx: Ctx, argv: string[]): void {
  const sub = argv[1]!.toLowerCase();
  switch (sub) {
    case 'list':
      return list(ctx, argv);
    case 'dump':
      if (argv.length !== 2) fail(E.subArity('function', sub));
      return ctx.out.bulk(emptyFunctionsPayload());
    case 'restore':
      if (argv.length < 3) fail(E.subArity('function', sub));
      return restore(ctx, argv);
    case 'flush':
      if (argv.length > 3) fail(E.subcommandSyntax(argv[1]!, 'function'));
      if (argv.length === 3 && !['async', 'sync'].includes(argv[2]!.toLowerCase())) fail(E.functionFlushMode);
      return ctx.out.ok();
    default:
      fail(E.unknownSubcommand(argv[1]!, 'function'));
  }
}

export const functionCommands: readonly CommandSpec[] = [
  { name: 'function', arity: -2, flags: ['noscript'], group: 'scripting', handler: functionCommand },
];
