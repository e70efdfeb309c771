import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';

// The inspector lives in web/ and is built to dist/web, which the server
// serves from one absolute path (server/main/start.ts, BUILT_WEB_ROOT).
export default defineConfig({
  root: fileURLToPath(new URL('./web/', import.meta.url)),
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web/', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or styles: the inspector's CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
