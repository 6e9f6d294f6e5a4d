#!/usr/bin/env node
// Entry point of the `plumetrace` command. Runs the TypeScript sources directly through tsx,
// so the command works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
