#!/usr/bin/env node
// The published entry point: runs the compiled CLI (built by `npm run build`,
// which `npm install` runs through `prepare`), bundled into one script that
// load-cli.js runs with V8's code cache, so that it starts fast
// (scripts/bundle-server.mjs, scripts/code-cache.mjs). CommonJS, as load-cli.js says why.
'use strict';
const { loadCli } = require('./load-cli.js');

const { main } = loadCli().exports;

main(process.argv.slice(2), process.env).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(`hookbin: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
