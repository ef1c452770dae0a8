import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suite as the mutation run (`npm run test:mutation`, stryker.config.mjs) uses it. Stryker runs
 * every test that covers a mutant once per mutant, so a test of many seconds multiplies across
 * hundreds of mutants. Left out: the long randomized and soak tests (property, stress, domain
 * compaction over millions of ids), the races between worker threads (key lookup, assignment),
 * whose in-thread part is plain writes that the focused tests cover, and the tests of the build
 * and of code generation, which run no code in scope in this process.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      // A mutant that makes a test wait forever (on a worker's message, say) fails it in seconds, not
      // after the minute the full suite allows: every test here takes under three.
      testTimeout: 15_000,
      hookTimeout: 15_000,
      exclude: [
        'node_modules/**',
        'test/**/*.property.test.ts',
        'test/store/stress.test.ts',
        'test/store/domain-compaction-bounds.test.ts',
        'test/store/key-lookup.test.ts',
        'test/store/assignment-race.test.ts',
        'test/runtime/built-package.test.ts',
        'test/codec/codegen.test.ts',
      ],
    },
  }),
);
