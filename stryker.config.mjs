// Mutation testing of the rules a broken change would hurt most: who may read and edit what,
// who is let in, and the attach flow. Run with `npm run test:mutation` (slow: not part of .ci/run).
// The files to mutate, one place to change when modules move:
const mutate = [
  'src/records/access/access-policy.ts',
  'src/auth/**/*.ts',
  '!src/auth/**/*.spec.ts',
  'src/crm-files/crm-files.service.ts',
  'src/history/history-events.service.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate,
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  // The machine is shared: one mutant at a time, unless --concurrency says otherwise.
  concurrency: 1,
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', 'reports', '.stryker-tmp', 'coverage'],
  thresholds: { high: 90, low: 80, break: null },
};
