// Which node serves each slot, read from CLUSTER NODES text (tests and benches that load keys
// straight to their owners).

/** The client port of each slot's owner, -1 where unassigned; open-slot markers are skipped. */
export function slotOwnerPorts(clusterNodes: string): Int32Array {
  const out = new Int32Array(16384).fill(-1);
  for (const line of clusterNodes.split('\n')) {
    const f = line.split(' ');
    const port = Number(/:(\d+)@/.exec(f[1] ?? '')?.[1]);
    for (const tok of f.slice(8)) {
      if (tok.startsWith('[')) continue;
      const [a, b] = tok.split('-').map(Number);
      for (let s = a!; s <= (b ?? a!); s++) out[s] = port;
    }
  }
  return out;
}
