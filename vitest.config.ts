import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**'],
    reporters: ['default', './tests/summary-reporter.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
