#!/usr/bin/env node
import { checkNode } from './check-node.js';

checkNode('redshard-node');
const { main } = await import('../dist/node/main.js');
await main(process.argv.slice(2));
