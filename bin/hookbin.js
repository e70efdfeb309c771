#!/usr/bin/env node
// The published entry point: runs the compiled CLI (built by `npm run build`,
// which `npm install` runs through `prepare`), bundled into two files (the
// CLI's and the server it shares with the Node API) so that it starts fast
// (scripts/bundle-server.mjs).
import { main } from '../dist/server/hookbin.mjs';

main(process.argv.slice(2), process.env).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(`hookbin: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
