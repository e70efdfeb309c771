// Copies the numbered .sql migrations next to the compiled store (dist/server/store/), which reads
// them relative to its own file (import.meta.url). The old copy goes first: a
// migration renamed or removed in the source must not linger in dist/, where
// the store would run it (or refuse two of one number).
import { cpSync, rmSync } from 'node:fs';

const target = new URL('../dist/server/store/migrations/', import.meta.url);
rmSync(target, { recursive: true, force: true });
cpSync(new URL('../server/store/migrations/', import.meta.url), target, { recursive: true });
