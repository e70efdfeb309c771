/**
 * The README and docs/ stay navigable: the table of contents lists every
 * section in order, and every link inside them (`#anchor`, `file#anchor`, a
 * relative file) points at a heading or file that exists.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = ['README.md', 'ARCHITECTURE.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The headings of a Markdown text outside code fences, with GitHub's anchors. */
function headings(md: string): Array<{ level: number; title: string; anchor: string }> {
  const out: Array<{ level: number; title: string; anchor: string }> = [];
  let fenced = false;
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = fenced ? null : /^(#{1,6}) (.+)$/.exec(line);
    if (!m) continue;
    const title = m[2]!.trim();
    const anchor = title.toLowerCase().replace(/[^\p{L}\p{N}\- ]/gu, '').replace(/ /g, '-');
    out.push({ level: m[1]!.length, title, anchor });
  }
  return out;
}

/** Links outside code: `[text](target)`. */
function links(md: string): string[] {
  const prose = md.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '``');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

describe('README and docs', () => {
  it('the README has a table of contents listing every ## and ### section in order', () => {
    const md = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const toc = /<!-- toc -->([\s\S]*?)<!-- \/toc -->/.exec(md)?.[1] ?? '';
    const listed = [...toc.matchAll(/\(#([^)]+)\)/g)].map((m) => m[1]);
    const sections = headings(md).filter((h) => (h.level === 2 || h.level === 3) && h.title !== 'Contents').map((h) => h.anchor);
    expect(listed).toEqual(sections);
  });

  it.each(DOCS)('every link in %s resolves', (file) => {
    const md = readFileSync(join(ROOT, file), 'utf8');
    const broken: string[] = [];
    for (const target of links(md)) {
      if (/^[a-z]+:/i.test(target)) continue;
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const dest = path === '' ? join(ROOT, file) : join(dirname(join(ROOT, file)), path);
      if (!existsSync(dest)) broken.push(`${target} (no ${relative(ROOT, dest)})`);
      else if (anchor !== undefined && dest.endsWith('.md') && !headings(readFileSync(dest, 'utf8')).some((h) => h.anchor === anchor)) {
        broken.push(`${target} (no heading #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
