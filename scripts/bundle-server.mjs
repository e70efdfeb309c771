/**
 * Bundles the compiled server (dist/server/main/cli.js and everything it imports,
 * dependencies included) into one file, dist/server/hookbin.mjs, which
 * bin/hookbin.js runs. Node 20 spends most of a start resolving, reading and
 * linking ESM modules one by one (zod alone is over a hundred); one file
 * starts in about 40 % less time. better-sqlite3 stays outside: it loads a
 * native addon next to its own files.
 *
 * The bundle sits beside the compiled files on purpose: the paths the server
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
    ssr: 'dist/server/main/cli.js',
    outDir: 'dist/server',
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    copyPublicDir: false,
    rolldownOptions: {
      external: ['better-sqlite3'],
      output: {
        entryFileNames: 'hookbin.mjs',
        format: 'es',
        // Whitespace and dead code only: V8 compiles half the bytes (~15 ms of a start), while names stay
        // as written, so profiles (npm run bench -- --profile) and stack traces still read.
        minify: { compress: true, mangle: false, codegen: { removeWhitespace: true } },
      },
    },
  },
  ssr: { noExternal: true, external: ['better-sqlite3'], target: 'node' },
});
