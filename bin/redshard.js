#!/usr/bin/env node
import { checkNode } from './check-node.js';

checkNode('redshard');
const { main } = await import('../dist/operator/cli/main.js');
await main(process.argv.slice(2));
