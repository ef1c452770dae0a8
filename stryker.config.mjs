// Mutation testing (`npm run test:mutation`, not part of `npm test`): StrykerJS changes the code of
// the memory layer and of the write/abort path one small edit at a time and checks that some test
// fails. See docs/testing.md for the score and the surviving mutants judged harmless.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [
    'src/memory/**/*.ts',
    'src/store/writer.ts',
    'src/store/write/core.ts',
    'src/store/write/directory.ts',
    'src/store/reclaim.ts',
    'src/store/domain-writer.ts',
    'src/store/domain-bulk.ts',
  ],
  // Each mutant runs only the tests that executed its code in the first, instrumented run.
  coverageAnalysis: 'perTest',
  // Two cores: one test runner leaves the other to the worker threads the tests start.
  concurrency: 1,
  // A mutant that makes a loop spin forever is caught by this, and counted as killed (timeout).
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // A run reuses the results of mutants whose code and covering tests did not change since the
  // last (reports/stryker-incremental.json); `npm run test:mutation -- --force` runs them all.
  incremental: true,
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', '.test-out', '.bench-out', 'reports'],
};
