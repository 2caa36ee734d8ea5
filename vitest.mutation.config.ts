import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

/**
 * The tests StrykerJS runs against each mutant (npm run test:mutation): SQLite only, and only
 * the files that exercise the mutated code (access rules, authentication, the attach flow), so
 * that a run stays within reach of one machine. See stryker.config.mjs.
 */
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2023' } })],
  test: {
    include: [
      'src/records/**/*.spec.ts',
      'src/crm-files/**/*.spec.ts',
      'src/auth/**/*.spec.ts',
      'test/auth.e2e-spec.ts',
      'test/auth/**/*.e2e-spec.ts',
      'test/access/**/*.e2e-spec.ts',
      'test/files/attach*.e2e-spec.ts',
      'test/history/post.e2e-spec.ts',
    ],
    env: { TEST_DB: 'sqlite' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
  },
});
