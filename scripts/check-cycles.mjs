/**
 * Fails when the modules under the given folders (default: server and
 * web/src) import each other in a circle. Every import counts, type-only ones
 * too: a cycle of types still ties two layers together. Imports are read with
 * TypeScript's own pre-parser, so comments and strings never count.
 *
 * Usage: node scripts/check-cycles.mjs [dir ...]. Exit 0 and one line when
 * there is none; exit 1 listing each cycle as `a.ts -> b.ts -> a.ts`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SOURCE = /\.(ts|tsx|mts)$/;

/** Every source file under `dir`. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The file a relative specifier names, as NodeNext or Vite resolve it (`.js` for `.ts`, a folder's index). */
function resolveSpecifier(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|jsx|mjs)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, join(base, 'index.ts'), join(base, 'index.tsx')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** The import graph: file → the source files it imports. */
export function importGraph(dirs) {
  const graph = new Map();
  for (const file of dirs.flatMap((d) => sources(resolve(d)))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((f) => f.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolveSpecifier(file, s))
      .filter((t) => t !== undefined && SOURCE.test(t));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Each cycle once, as the files around it (Tarjan's strongly connected components, then one path round each). */
export function findCycles(graph) {
  let index = 0;
  const stack = [];
  const meta = new Map();
  const components = [];
  const visit = (v) => {
    meta.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!meta.has(w)) {
        visit(w);
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
      } else if (meta.get(w).onStack) {
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
      }
    }
    if (meta.get(v).low === meta.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        meta.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      const selfImport = (graph.get(v) ?? []).includes(v);
      if (component.length > 1 || selfImport) components.push(component);
    }
  };
  for (const v of graph.keys()) if (!meta.has(v)) visit(v);
  // The shortest path round each component from its first file (breadth first), for the message.
  return components.map((component) => {
    const inside = new Set(component);
    const start = [...component].sort()[0];
    const parent = new Map([[start, null]]);
    const queue = [start];
    while (queue.length > 0) {
      const at = queue.shift();
      for (const w of graph.get(at) ?? []) {
        if (!inside.has(w)) continue;
        if (w === start) {
          const path = [start];
          for (let p = at; p !== start; p = parent.get(p)) path.splice(1, 0, p);
          return [...path, start];
        }
        if (!parent.has(w)) {
          parent.set(w, at);
          queue.push(w);
        }
      }
    }
    // A strongly connected component always leads back to its first file.
    throw new Error(`no path round ${start}`);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['server', 'web/src'];
  const graph = importGraph(dirs);
  const cycles = findCycles(graph);
  if (cycles.length === 0) {
    console.log(`no import cycles among ${graph.size} modules (${dirs.join(', ')})`);
  } else {
    console.error(`${cycles.length} import cycle${cycles.length === 1 ? '' : 's'}:`);
    for (const cycle of cycles) console.error(`  ${cycle.map((f) => relative(process.cwd(), f)).join(' -> ')}`);
    process.exitCode = 1;
  }
}
