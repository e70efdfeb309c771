/**
 * The text `npm run bench -- --profile` prints from a V8 .cpuprofile: self
 * time by function and by file, and inclusive time of hookbin's own
 * functions, each as a share of all samples.
 */

/** The summary of `prof` (a parsed .cpuprofile); paths are shown relative to `root`. */
export function summarizeProfile(prof, root) {
  const out = [];
  const byNode = new Map(prof.nodes.map((n) => [n.id, n]));
  const whereOf = (id) => byNode.get(id).callFrame.url.replace(/^file:\/\//, '').replace(root, '').replace(/.*node_modules\//, '~/');
  const keyOf = (id) => {
    const { functionName, lineNumber } = byNode.get(id).callFrame;
    return `${functionName || '(anonymous)'}  ${whereOf(id)}:${lineNumber + 1}`;
  };
  const self = new Map();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map();
  const byFile = new Map();
  for (const [id, us] of self) {
    const fnKey = keyOf(id);
    byFn.set(fnKey, (byFn.get(fnKey) ?? 0) + us);
    const fileKey = whereOf(id) || byNode.get(id).callFrame.functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
  }
  // Inclusive time: a function's own time plus everything it called (counted once per stack).
  const children = new Map(prof.nodes.map((n) => [n.id, n.children ?? []]));
  const inclusive = new Map();
  const walk = (id, onStack) => {
    let total = self.get(id) ?? 0;
    const key = keyOf(id);
    const fresh = !onStack.has(key);
    if (fresh) onStack.add(key);
    for (const c of children.get(id)) total += walk(c, onStack);
    if (fresh) {
      onStack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + total);
    }
    return total;
  };
  walk(prof.nodes[0].id, new Set());
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  out.push(`\nself time by function (top 40 of ${(total / 1e6).toFixed(1)} s):\n${top(byFn, 40)}`);
  out.push(`\nself time by file (top 25):\n${top(byFile, 25)}`);
  const ours = new Map([...inclusive].filter(([k]) => !k.startsWith('(')));
  out.push(`\ninclusive time (top 40):\n${top(ours, 40)}`);
  return out.join('\n');
}
