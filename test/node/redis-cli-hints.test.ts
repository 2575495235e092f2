import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { startNode, type ServerProcess } from '../helpers/processes.js';

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
}

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// redis-cli 7.0 builds its help and hints from COMMAND DOCS; a malformed reply makes it assert.
describe.skipIf(!hasTmux())('interactive redis-cli 7.0 against the node', () => {
  let node: ServerProcess;
  const session = `redshard-hints-${process.pid}`;
  beforeAll(async () => {
    node = await startNode();
    tmux('new-session', '-d', '-s', session, '-x', '220', '-y', '20', `redis-cli -p ${node.port}`);
    await sleep(800);
  });
  afterAll(async () => {
    tmux('kill-session', '-t', session);
    await node.stop();
  });

  async function hintFor(typed: string): Promise<string> {
    tmux('send-keys', '-t', session, 'C-u', typed);
    await sleep(300);
    return tmux('capture-pane', '-p', '-t', session).split('\n')[0]!.trimEnd();
  }

  it('shows argument hints from COMMAND DOCS', async () => {
    expect(await hintFor('SET ')).toMatch(/> SET key value \[NX\|XX\] \[GET\] \[EX seconds\|PX milliseconds\|EXAT unix-time-seconds\|PXAT unix-time-milliseconds\|KEEPTTL\]$/);
    expect(await hintFor('SCAN 0 ')).toMatch(/> SCAN 0 \[MATCH pattern\] \[COUNT count\] \[TYPE type\]$/);
    expect(await hintFor('OBJECT ENCODING ')).toMatch(/> OBJECT ENCODING key$/);
    expect(await hintFor('SUBSCRIBE ')).toMatch(/> SUBSCRIBE channel \[channel \.\.\.\]$/);
  });
});
