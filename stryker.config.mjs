// @ts-check
/**
 * `npm run mutate`: StrykerJS over the modules that carry hookbin's
 * guarantees. A developer's tool, not part of `npm test` or CI (slow on two
 * cores). Scope a run with `npm run mutate -- --mutate 'server/verify/**'`.
 * The HTML report goes to reports/mutation/ (ignored by git).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  // Each mutant runs only the tests that reach it.
  coverageAnalysis: 'perTest',
  // A static mutant (a module-level constant or pattern) is reached by every
  // test, so each costs a whole run (~40 s here): half the mutants, 95% of
  // the time. They are left out by default; `-- --ignoreStatic false` keeps them.
  ignoreStatic: true,
  mutate: [
    // Signature verification.
    'server/verify/**/*.ts',
    // The capture path: reading, answering, faults.
    'server/capture/read.ts',
    'server/capture/ingress.ts',
    'server/capture/answer.ts',
    'server/capture/faults.ts',
    'server/capture/glob.ts',
    'server/capture/answer-headers.ts',
    // The store's capture writer (group commit, durability) and retention.
    'server/store/capture-writer.ts',
    'server/store/retention.ts',
    'server/store/walsync.ts',
    // Security: the control plane's guard, the token, the lock on the data dir.
    'server/http/security.ts',
    'server/main/datadir-lock.ts',
    // The live feed: hub and route.
    'server/live/hub.ts',
    'server/live/route.ts',
    // Decoding.
    'server/http/decode.ts',
    // The sender: its schedule and attempts (the outbox engine), signed afresh each time.
    'server/outbound/sender.ts',
    'server/retries/presets.ts',
  ],
  // The tests mostly wait on sockets and timers (two runners kept two cores
  // a third busy): four runners keep two cores busy.
  concurrency: 4,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // Not copied into the sandbox: other runs' sandboxes (several scoped runs may go at once) and scratch output.
  ignorePatterns: ['.stryker-tmp*', 'reports', '.scratch'],
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
};
