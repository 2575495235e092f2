// A raw client connection that records every byte it receives and whether the server closed it:
// for tests that watch what a blocked client is told and whether it is disconnected.
import net from 'node:net';

export class RecordingConn {
  data = '';
  closed = false;
  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => (this.data += d.toString('latin1')));
    sock.on('close', () => (this.closed = true));
    sock.on('error', () => {});
  }
  static open(port: number, host = '127.0.0.1'): Promise<RecordingConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RecordingConn(s)));
      s.once('error', reject);
    });
  }
  send(...args: string[]): void {
    this.sock.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  }
  close(): void {
    this.sock.destroy();
  }
}
