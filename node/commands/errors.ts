// Every error text a client can see, in one place, worded exactly as Redis 7.0 words it.

export const E = {
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  incrFloatNaN: 'ERR increment would produce NaN or Infinity',
  noSuchKey: 'ERR no such key',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  authNoPassword:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  multiNested: 'ERR MULTI calls can not be nested',
  execNoMulti: 'ERR EXEC without MULTI',
  discardNoMulti: 'ERR DISCARD without MULTI',
  watchInMulti: 'ERR WATCH inside MULTI is not allowed',
  dbIndexOutOfRange: 'ERR DB index is out of range',
  selectCluster: 'ERR SELECT is not allowed in cluster mode',
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  offsetOutOfRange: 'ERR offset is out of range',
  indexOutOfRange: 'ERR index out of range',
  timeoutNegative: 'ERR timeout is negative',
  timeoutNotFloat: 'ERR timeout is not a float or out of range',
  clusterDisabled: 'ERR This instance has cluster support disabled',
  crossSlot: "CROSSSLOT Keys in request don't hash to the same slot",
  unknownCommand: (name: string, args: readonly string[]) => {
    const shown = args
      .slice(0, 20)
      .map((a) => `'${a.length > 128 ? a.slice(0, 128) : a}' `)
      .join('');
    return `ERR unknown command '${name.length > 128 ? name.slice(0, 128) : name}', with args beginning with: ${shown}`;
  },
  unknownSubcommand: (sub: string, cmd: string) =>
    `ERR unknown subcommand '${sub.length > 128 ? sub.slice(0, 128) : sub}'. Try ${cmd.toUpperCase()} HELP.`,
  arity: (name: string) => `ERR wrong number of arguments for '${name}' command`,
  subArity: (cmd: string, sub: string) => `ERR wrong number of arguments for '${cmd}|${sub}' command`,
  protocol: (reason: string) => `ERR Protocol error: ${reason}`,
  onlyInSubscribe: (name: string) =>
    `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  notAllowedInMulti: (name: string) => `ERR Command not allowed inside a transaction`,
  moved: (slot: number, addr: string) => `MOVED ${slot} ${addr}`,
  ask: (slot: number, addr: string) => `ASK ${slot} ${addr}`,
  // serverx: transactions, keys, pub/sub, server
  execAbortBecause: (reason: string) => `EXECABORT Transaction discarded because of: ${reason.startsWith('ERR ') ? reason.slice(4) : reason}`,
  subcommandSyntax: (sub: string, cmd: string) =>
    `ERR unknown subcommand or wrong number of arguments for '${sub.length > 128 ? sub.slice(0, 128) : sub}'. Try ${cmd.toUpperCase()} HELP.`,
  sameObject: 'ERR source and destination objects are the same',
  copyDbCluster: 'ERR Copying to another database is not allowed in cluster mode',
  moveCluster: 'ERR MOVE is not allowed in cluster mode',
  swapdbCluster: 'ERR SWAPDB is not allowed in cluster mode',
  swapdbFirst: 'ERR invalid first DB index',
  swapdbSecond: 'ERR invalid second DB index',
  lfuNotSelected:
    'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  lfuSelected:
    'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  helloNoAuth:
    'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
} as const;
