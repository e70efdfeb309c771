import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` runs against each mutant: every test that runs
 * the server from source. Left out: the browser tests and those that spawn
 * the built CLI or bundle (they run dist/, which a mutant of the sources
 * never reaches), and the load and crash soaks (timed by the machine).
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/cli/**', 'test/soak/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
