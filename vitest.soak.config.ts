import { defineConfig } from 'vitest/config';

// The soak test (`npm run test:soak`) lives outside `npm test`'s include: only this config loads it.
export default defineConfig({
  test: {
    include: ['test/stress/**/*.soak.ts'],
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
