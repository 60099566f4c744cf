import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The fuzz suite has its own script and config (vitest.reliability.config.ts).
    exclude: ['test/reliability/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    // Transformed, not loaded by Node 20: it imports its JSON schema without an import attribute.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
