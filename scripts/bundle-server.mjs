/**
 * Bundles the compiled server twice, dependencies included:
 * - the CLI (dist/server/main/cli.js and everything it imports) into one
 *   CommonJS script, dist/server/hookbin.cjs, which bin/hookbin.js runs
 *   through bin/load-cli.js with V8's code cache (scripts/code-cache.mjs
 *   writes it next, from a real start);
 * - the Node API (dist/server/main/library.js) into dist/server/library.mjs,
 *   the package's `exports`, an ES module.
 * Node 20 spends most of a start resolving, reading and linking ESM modules
 * one by one (zod alone is over a hundred); one file starts in about 40 %
 * less time, and with its code cache it is not even parsed. better-sqlite3
 * stays outside: it loads a native addon next to its own files.
 *
 * The bundles sit beside the compiled files on purpose: the paths the server
 * finds from `import.meta.url` (migrations, the inspector, package.json)
 * resolve from it exactly as from them (in the CommonJS script,
 * `import.meta.url` becomes its own file's URL).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/** One bundle of `input` into dist/server, as an ES module or a CommonJS script. */
async function bundle(input, format) {
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
        input,
        external: ['better-sqlite3'],
        output: {
          entryFileNames: format === 'cjs' ? '[name].cjs' : '[name].mjs',
          chunkFileNames: 'server-[hash].mjs',
          format,
          // The CLI's script holds everything: a late import() of one of our modules becomes a lazily
          // run part of it, and one of Node's or better-sqlite3 a require (bin/load-cli.js: a script
          // run from V8's code cache cannot import()).
          ...(format === 'cjs' ? { codeSplitting: false, dynamicImportInCjs: false } : {}),
          // Whitespace and dead code only: V8 compiles half the bytes (~15 ms of a start without the
          // code cache), while names stay as written, so profiles (npm run bench -- --profile) and
          // stack traces still read.
          minify: { compress: true, mangle: false, codegen: { removeWhitespace: true } },
        },
      },
    },
    ssr: { noExternal: true, external: ['better-sqlite3'], target: 'node' },
  });
}

await bundle({ hookbin: 'dist/server/main/cli.js' }, 'cjs');
await bundle({ library: 'dist/server/main/library.js' }, 'es');
