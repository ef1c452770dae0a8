import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests start real worker threads; two cores are the machine's size, so run files one or two at a time.
    maxWorkers: 2,
    pool: 'forks',
  },
});
