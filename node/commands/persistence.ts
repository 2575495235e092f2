// SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE.
import type { CommandSpec, Ctx } from './types.js';
import { fail } from './args.js';
import { saveInBackground, saveNow } from '../persistence/rdb-file.js';

function save(ctx: Ctx): void {
  if (ctx.server.saveState.inProgress) fail('ERR Background save already in progress');
  saveNow(ctx.server);
  ctx.out.ok();
}

function bgsave(ctx: Ctx, argv: string[]): void {
  if (argv.length > 2 || (argv[1] && argv[1].toUpperCase() !== 'SCHEDULE')) fail('ERR syntax error');
  if (!saveInBackground(ctx.server)) {
    if (argv[1]) return ctx.out.simple('Background saving scheduled');
    fail('ERR Background save already in progress');
  }
  ctx.out.simple('Background saving started');
}

function bgrewriteaof(ctx: Ctx): void {
  const start = ctx.server.rewriteAppendOnly;
  if (start === null || !ctx.server.config.bool('appendonly')) {
    fail('ERR Background append only file rewriting is only possible with appendonly enabled');
  }
  if (!start()) fail('ERR Background append only file rewriting already in progress');
  ctx.out.simple('Background append only file rewriting started');
}

export const persistenceCommands: readonly CommandSpec[] = [
  { name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_multi'], group: 'server', handler: save },
  { name: 'bgsave', arity: -1, flags: ['admin', 'noscript'], group: 'server', handler: bgsave },
  { name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript'], group: 'server', handler: bgrewriteaof },
  { name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], group: 'server', handler: (c) => c.out.int(c.server.saveState.lastSave) },
];
