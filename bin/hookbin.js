#!/usr/bin/env node
// The published entry point: runs the compiled CLI (built by `npm run build`,
// which `npm install` runs through `prepare`).
import { main } from '../dist/server/cli.js';

main(process.argv.slice(2), process.env).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(`hookbin: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
