import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientAddresses, nodeArguments, splitCmdline } from './startup-target.js';

describe('the node address from its command line', () => {
  it('splits /proc cmdline back into the arguments', () => {
    fc.assert(
      fc.property(fc.array(fc.string().filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 8 }), (argv) => {
        expect(splitCmdline(argv.map((a) => `${a}\0`).join(''))).toEqual(argv);
      }),
    );
  });

  it('finds the node arguments after its script, behind V8 flags or an init', () => {
    expect(nodeArguments(['node', '--max-semi-space-size=4', '/app/bin/redshard-node.js', '--port', '7000'])).toEqual(['--port', '7000']);
    expect(nodeArguments(['/usr/local/bin/node', '/usr/local/bin/redshard-node', 'redis.conf'])).toEqual(['redis.conf']);
    expect(nodeArguments(['/sbin/docker-init', '--', 'redshard-node', '--port', '7001', '--dir', '/data'])).toEqual(['--port', '7001', '--dir', '/data']);
    expect(nodeArguments(['node', '/app/bin/redshard-operator.js', 'kube'])).toBeNull();
  });

  it('resolves port and bind as the node does: config file first, arguments last', () => {
    expect(clientAddresses([])).toEqual([
      { host: '127.0.0.1', port: 6379 },
      { host: '::1', port: 6379 },
    ]);
    expect(clientAddresses(['--port', '7000', '--bind', '10.1.2.3', '-::1'])).toEqual([
      { host: '10.1.2.3', port: 7000 },
      { host: '::1', port: 7000 },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'startup-target-'));
    try {
      writeFileSync(join(dir, 'inc.conf'), 'port 7100\n');
      writeFileSync(join(dir, 'redis.conf'), `include ${join(dir, 'inc.conf')}\nbind 0.0.0.0\n`);
      expect(clientAddresses([join(dir, 'redis.conf')])).toEqual([{ host: '127.0.0.1', port: 7100 }]);
      expect(clientAddresses([join(dir, 'redis.conf'), '--port', '7200'])).toEqual([{ host: '127.0.0.1', port: 7200 }]);
      expect(() => clientAddresses([join(dir, 'missing.conf')])).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
