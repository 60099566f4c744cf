import { defineConfig } from 'vitest/config';

// The reliability suite (npm run test:reliability): property-based fuzzing with fast-check.
// REFIT_FUZZ_RUNS sets the runs per property (default 100; CI uses 200); REFIT_FUZZ_SEED pins the seed.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    setupFiles: ['test/reliability/seed.ts'],
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
