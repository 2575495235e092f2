// Refuses to start on a Node.js older than the one the project needs, with a clear message.
// Kept in plain JavaScript that old runtimes can parse.
export const REQUIRED = [22, 19];

export function checkNode(bin) {
  const parts = process.versions.node.split('.').map(Number);
  const ok = parts[0] > REQUIRED[0] || (parts[0] === REQUIRED[0] && parts[1] >= REQUIRED[1]);
  if (!ok) {
    process.stderr.write(
      `${bin} needs Node.js >= ${REQUIRED.join('.')} (Node 24 LTS recommended); this is Node ${process.versions.node}.\n` +
        'Run it through npm/npx in the project (npm ci installs Node 24), or install Node 24.\n',
    );
    process.exit(1);
  }
}
