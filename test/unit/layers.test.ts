/**
 * The layers hold: no import cycles among the server's and the inspector's
 * modules (scripts/check-cycles.mjs over the real tree, and over small trees
 * that have one, so the check is shown to fail when it should); the inspector
 * imports nothing of the server but server/common/; and common/ imports
 * nothing of Node or of the rest of the server.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'check-cycles.mjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookbin-cycles-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `files` (path → text) under the temp dir. */
function tree(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

const check = (...dirs: string[]) => spawnSync(process.execPath, [SCRIPT, ...dirs], { cwd: dir, encoding: 'utf8' });

describe('import cycles', () => {
  it('server/ and web/src/ have none', () => {
    const out = execFileSync(process.execPath, [SCRIPT], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toMatch(/^no import cycles among \d+ modules \(server, web\/src\)\n$/);
  });

  it('a cycle of type-only imports across folders fails, named file by file', () => {
    tree({
      'src/store/index.ts': "import type { Settings } from '../capture/settings.js';\nexport type Row = Settings;\n",
      'src/capture/settings.ts': "import { url } from '../outbound/exchange.js';\nexport type Settings = { url: typeof url };\n",
      'src/outbound/exchange.ts': "import type { Row } from '../store/index.js';\nexport const url = '' as unknown as Row;\n",
      'src/free.ts': "import type { Row } from './store/index.js';\nexport type Free = Row;\n",
    });
    const run = check('src');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('1 import cycle:\n  src/capture/settings.ts -> src/outbound/exchange.ts -> src/store/index.ts -> src/capture/settings.ts\n');
  });

  it('finds a cycle through a folder index, a .tsx file and an import without extension, and one that imports itself', () => {
    tree({
      'src/a.ts': "export { b } from './b';\n",
      'src/b/index.tsx': "import { a } from '../a.js';\nexport const b = a;\n",
      'src/self.ts': "import './self.js';\n",
    });
    const run = check('src');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('2 import cycles:\n');
    expect(run.stderr).toContain('  src/a.ts -> src/b/index.tsx -> src/a.ts\n');
    expect(run.stderr).toContain('  src/self.ts -> src/self.ts\n');
  });

  it('imports in comments and strings, and of packages, do not count', () => {
    tree({
      'src/a.ts': "// import { b } from './b.js';\nexport const a = \"import './b.js'\";\nimport { z } from 'zod';\nexport const y = z;\n",
      'src/b.ts': "import { a } from './a.js';\nexport const b = a;\n",
    });
    const run = check('src');
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('no import cycles among 2 modules (src)\n');
    expect(run.status).toBe(0);
  });
});

/** Every relative or `node:` import specifier of the source files under `dir` (repo-relative), as [file, specifier]. */
function importsUnder(dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*'([^']+)'|^\s*import\s*'([^']+)'/gm)) {
      out.push([relative(ROOT, file), (m[1] ?? m[2])!]);
    }
  }
  return out;
}

describe('layers', () => {
  it('the inspector imports only server/common/ of the server', () => {
    const fromServer = importsUnder('web/src')
      .map(([file, spec]) => [file, relative(ROOT, resolve(ROOT, dirname(file), spec))] as const)
      .filter(([, target]) => target.startsWith('server/'));
    expect(fromServer.length).toBeGreaterThan(0);
    expect(fromServer.filter(([, target]) => !target.startsWith('server/common/'))).toEqual([]);
  });

  it('server/common/ imports neither Node nor the rest of the server', () => {
    const imports = importsUnder('server/common');
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter(([, spec]) => spec.startsWith('node:') || spec.startsWith('../'))).toEqual([]);
  });
});
