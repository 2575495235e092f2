// The cluster bus transport: a listener on the bus port (client port + 10000 or cluster-port),
// one outbound link per peer node and any number of inbound links.
import net from 'node:net';
import type { Logger } from 'pino';
import { BusLink, type LinkEvents } from './link.js';
import type { ClusterNode } from '../cluster/state.js';

export class ClusterBus {
  readonly outbound = new Map<ClusterNode, BusLink>();
  readonly inbound = new Set<BusLink>();
  private readonly servers: net.Server[] = [];

  constructor(
    private readonly events: LinkEvents,
    private readonly log: Logger,
  ) {}

  async listen(hosts: readonly string[], port: number, mayFail: (host: string) => boolean): Promise<void> {
    for (const host of hosts) {
      const srv = net.createServer({ noDelay: true }, (socket) => {
        const link = new BusLink(socket, false, null, this.wrap());
        this.inbound.add(link);
      });
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ port, host }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        if (mayFail(host)) continue;
        throw e;
      }
      this.servers.push(srv);
    }
    if (this.servers.length === 0) throw new Error(`could not bind the cluster bus port ${port}`);
  }

  /** Opens the outbound link to a node; `onConnect` runs once the TCP connection is up. */
  connect(node: ClusterNode, timeoutMs: number, onConnect: (link: BusLink) => void): BusLink {
    const socket = net.connect({ host: node.ip, port: node.cport });
    const link = new BusLink(socket, true, node, this.wrap());
    socket.setTimeout(Math.max(1000, timeoutMs));
    socket.once('timeout', () => {
      if (socket.connecting) link.close();
      socket.setTimeout(0);
    });
    socket.once('connect', () => {
      socket.setTimeout(0);
      onConnect(link);
    });
    this.outbound.set(node, link);
    node.linked = true;
    return link;
  }

  /** Closes the outbound link of a node and every inbound link bound to it. */
  freeLinks(node: ClusterNode): void {
    this.outbound.get(node)?.close();
    for (const l of [...this.inbound]) if (l.node === node) l.close();
  }

  private wrap(): LinkEvents {
    return {
      message: (l, m) => this.events.message(l, m),
      protocolError: (l, r) => this.events.protocolError(l, r),
      closed: (l) => {
        if (l.outbound && l.node !== null && this.outbound.get(l.node) === l) {
          this.outbound.delete(l.node);
          l.node.linked = false;
        }
        this.inbound.delete(l);
        this.events.closed(l);
      },
    };
  }

  async close(): Promise<void> {
    for (const l of [...this.outbound.values(), ...this.inbound]) l.close();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.log.debug('cluster bus closed');
  }
}
