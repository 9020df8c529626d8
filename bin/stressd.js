#!/usr/bin/env node
// The package's bin: run the TypeScript CLI through tsx's loader in this same process
// (the `tsx` command would fork a second node, which confuses pids and signals).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
