// Channel, pattern and shard-channel subscriptions and message delivery.
import { globMatch } from '../../common/glob.js';
import type { Session } from './session.js';

type Registry = Map<string, Set<Session>>;

export class PubSub {
  readonly channels: Registry = new Map();
  readonly patterns: Registry = new Map();
  readonly shardChannels: Registry = new Map();


  subscribe(s: Session, kind: 'channel' | 'pattern' | 'shard', name: string): void {
    const [reg, own] = this.pick(s, kind);
    if (own.has(name)) return;
    own.add(name);
    let set = reg.get(name);
    if (!set) reg.set(name, (set = new Set()));
    set.add(s);
  }

  unsubscribe(s: Session, kind: 'channel' | 'pattern' | 'shard', name: string): boolean {
    const [reg, own] = this.pick(s, kind);
    if (!own.delete(name)) return false;
    const set = reg.get(name);
    if (set) {
      set.delete(s);
      if (set.size === 0) reg.delete(name);
    }
    return true;
  }

  unsubscribeAll(s: Session): void {
    for (const c of [...s.channels]) this.unsubscribe(s, 'channel', c);
    for (const p of [...s.patterns]) this.unsubscribe(s, 'pattern', p);
    for (const c of [...s.shardChannels]) this.unsubscribe(s, 'shard', c);
  }

  private pick(s: Session, kind: 'channel' | 'pattern' | 'shard'): [Registry, Set<string>] {
    if (kind === 'channel') return [this.channels, s.channels];
    if (kind === 'pattern') return [this.patterns, s.patterns];
    return [this.shardChannels, s.shardChannels];
  }

  /** Delivers locally; returns the number of receivers. */
  publish(channel: string, message: string): number {
    let n = 0;
    const subs = this.channels.get(channel);
    if (subs) {
      for (const s of subs) {
        s.out.push(3);
        s.out.bulk('message');
        s.out.bulk(channel);
        s.out.bulk(message);
        n++;
      }
    }
    for (const [pattern, set] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      for (const s of set) {
        s.out.push(4);
        s.out.bulk('pmessage');
        s.out.bulk(pattern);
        s.out.bulk(channel);
        s.out.bulk(message);
        n++;
      }
    }
    return n;
  }

  publishShard(channel: string, message: string): number {
    const subs = this.shardChannels.get(channel);
    if (!subs) return 0;
    for (const s of subs) {
      s.out.push(3);
      s.out.bulk('smessage');
      s.out.bulk(channel);
      s.out.bulk(message);
    }
    return subs.size;
  }

  get patternCount(): number {
    return this.patterns.size;
  }
}
