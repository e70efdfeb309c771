/**
 * Bundles the compiled server (dist/server/main/cli.js and everything it imports,
 * dependencies included) into dist/server/hookbin.mjs, which bin/hookbin.js
 * runs, and the Node API (dist/server/main/library.js) into
 * dist/server/library.mjs, the package's `exports`. What both import (all of
 * the server but the CLI's own parts) is one shared module beside them.
 * Node 20 spends most of a start resolving, reading and linking ESM modules
 * one by one (zod alone is over a hundred); two files start in about 40 %
 * less time. better-sqlite3 stays outside: it loads a native addon next to
 * its own files.
 *
 * The bundles sit beside the compiled files on purpose: the paths the server
 * finds from `import.meta.url` (migrations, the inspector, package.json)
 * resolve from it exactly as from them.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir: 'dist/server',
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    copyPublicDir: false,
    rolldownOptions: {
      input: { hookbin: 'dist/server/main/cli.js', library: 'dist/server/main/library.js' },
      external: ['better-sqlite3'],
      output: {
        entryFileNames: '[name].mjs',
        chunkFileNames: 'server-[hash].mjs',
        format: 'es',
        // Whitespace and dead code only: V8 compiles half the bytes (~15 ms of a start), while names stay
        // as written, so profiles (npm run bench -- --profile) and stack traces still read.
        minify: { compress: true, mangle: false, codegen: { removeWhitespace: true } },
      },
    },
  },
  ssr: { noExternal: true, external: ['better-sqlite3'], target: 'node' },
});
