#!/usr/bin/env node
// Rewrites the README's table of contents (between <!-- toc --> and
// <!-- /toc -->) from its ## and ### headings, with GitHub's anchors.
// test/unit/readme.test.ts fails when the table and the headings disagree.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../README.md', import.meta.url);
const md = readFileSync(file, 'utf8');
const entries = [];
let fenced = false;
for (const line of md.split('\n')) {
  if (line.startsWith('```')) fenced = !fenced;
  const m = fenced ? null : /^(##|###) (.+)$/.exec(line);
  if (!m || m[2] === 'Contents') continue;
  const title = m[2].trim();
  const anchor = title.toLowerCase().replace(/[^\p{L}\p{N}\- ]/gu, '').replace(/ /g, '-');
  entries.push(`${m[1] === '###' ? '  ' : ''}- [${title}](#${anchor})`);
}
const toc = `<!-- toc -->\n${entries.join('\n')}\n<!-- /toc -->`;
if (!/<!-- toc -->[\s\S]*?<!-- \/toc -->/.test(md)) throw new Error('README.md has no <!-- toc --> … <!-- /toc --> block');
writeFileSync(file, md.replace(/<!-- toc -->[\s\S]*?<!-- \/toc -->/, toc));
