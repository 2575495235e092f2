#!/usr/bin/env node
import { checkNode } from './check-node.js';

checkNode('redshard-operator');
const { main } = await import('../dist/operator/main.js');
await main(process.argv.slice(2));
