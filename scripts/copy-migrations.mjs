// Copies the numbered .sql migrations next to the compiled store, which reads
// them relative to its own file (import.meta.url).
import { cpSync } from 'node:fs';

cpSync(new URL('../server/migrations/', import.meta.url), new URL('../dist/server/migrations/', import.meta.url), {
  recursive: true,
});
