// Reads replies from another Redis-protocol server (MIGRATE targets, admin links) on top of
// redis-parser. Bulk and simple strings come back as latin1 JS strings (one char per byte, like
// the keyspace), errors as { error } values; a protocol violation is reported once as fatal.
import { createRequire } from 'node:module';

export type RespValue = string | number | null | { error: string } | RespValue[];

interface RedisParser {
  execute(data: Buffer): void;
  reset(): void;
}
type ParserCtor = new (opts: {
  returnReply: (r: unknown) => void;
  returnError: (e: Error) => void;
  returnFatalError: (e: Error) => void;
  returnBuffers: boolean;
  stringNumbers: boolean;
}) => RedisParser;

// Loaded on the first reader: a node that never dials another server (no MIGRATE, no replica)
// does not keep redis-parser's modules.
let Parser: ParserCtor | undefined;

function toValue(r: unknown): RespValue {
  if (r === null || r === undefined) return null;
  if (Buffer.isBuffer(r)) return r.toString('latin1');
  if (typeof r === 'number' || typeof r === 'string') return r;
  if (Array.isArray(r)) return r.map(toValue);
  if (r instanceof Error) return { error: r.message };
  return String(r);
}

export class ReplyReader {
  private readonly parser: RedisParser;
  private readonly queue: RespValue[] = [];
  fatal: string | null = null;

  constructor() {
    Parser ??= createRequire(import.meta.url)('redis-parser') as ParserCtor;
    this.parser = new Parser({
      returnReply: (r) => this.queue.push(toValue(r)),
      returnError: (e) => this.queue.push({ error: e.message }),
      returnFatalError: (e) => {
        this.fatal ??= e.message;
      },
      returnBuffers: true,
      stringNumbers: false,
    });
  }

  feed(chunk: Buffer): void {
    if (this.fatal !== null) return;
    try {
      this.parser.execute(chunk);
    } catch (e) {
      this.fatal ??= (e as Error).message;
    }
  }

  get available(): number {
    return this.queue.length;
  }

  shift(): RespValue | undefined {
    return this.queue.shift();
  }

  reset(): void {
    this.queue.length = 0;
    this.fatal = null;
    this.parser.reset();
  }
}

export function isErrorReply(v: RespValue | undefined): v is { error: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
