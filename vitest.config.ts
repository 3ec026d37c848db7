import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/fast-check-seed.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // Just under what the suite measures (see CHANGELOG): a drop fails CI, a rise is free.
      thresholds: { statements: 85, branches: 80, functions: 85, lines: 85 },
    },
  },
});
