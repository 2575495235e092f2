// One cluster bus TCP connection: frames in (validated by messages.ts), encoded messages out.
// A framing error or an undecodable frame closes this link only.
import type net from 'node:net';
import { decodeMessage, FrameReader, type BusMessage } from './messages.js';
import type { ClusterNode } from '../cluster/state.js';

export interface LinkEvents {
  message(link: BusLink, msg: BusMessage): void;
  /** The frame could not be used; the link is being closed. */
  protocolError(link: BusLink, reason: string): void;
  closed(link: BusLink): void;
}

export class BusLink {
  private readonly reader = new FrameReader();
  /** Outbound: the node we connected to. Inbound: the node identified from its messages. */
  node: ClusterNode | null;
  readonly ctime = Date.now();
  sendBufferPeak = 0;
  private closedFlag = false;

  constructor(
    readonly socket: net.Socket,
    readonly outbound: boolean,
    node: ClusterNode | null,
    private readonly events: LinkEvents,
  ) {
    this.node = node;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get peerIp(): string {
    return normaliseIp(this.socket.remoteAddress ?? '');
  }

  get localIp(): string {
    return normaliseIp(this.socket.localAddress ?? '');
  }

  private onData(chunk: Buffer): void {
    if (this.closedFlag) return;
    this.reader.feed(chunk);
    for (;;) {
      const frame = this.reader.take();
      if (frame === null) break;
      const r = decodeMessage(frame);
      if (!r.ok) {
        if (r.ignore) continue;
        this.events.protocolError(this, r.reason);
        this.close();
        return;
      }
      this.events.message(this, r.msg);
      if (this.closedFlag) return;
    }
    if (this.reader.error !== null) {
      this.events.protocolError(this, this.reader.error);
      this.close();
    }
  }

  send(buf: Buffer): void {
    if (this.closedFlag || this.socket.destroyed) return;
    this.socket.write(buf);
    if (this.socket.writableLength > this.sendBufferPeak) this.sendBufferPeak = this.socket.writableLength;
  }

  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.socket.destroy();
    this.events.closed(this);
  }
}

function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
