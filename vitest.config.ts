import swc from 'unplugin-swc';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Decorator metadata (Nest's dependency injection, TypeORM, class-validator) needs SWC:
// Vite's own transform does not emit it.
const plugins = [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2023' } })];

const sqlite: TestProjectInlineConfiguration = {
  plugins,
  test: {
    name: 'sqlite',
    // The browser test drives Chromium once, on SQLite: it checks the UI, not the database.
    include: ['src/**/*.spec.ts', 'test/**/*.e2e-spec.ts', 'test/**/*.browser-spec.ts'],
    env: { TEST_DB: 'sqlite' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['test/support/setup.ts'],
  },
};

// The database-backed suites run again on MySQL/MariaDB when TEST_MYSQL_URL is set.
const mysql: TestProjectInlineConfiguration = {
  plugins,
  test: {
    name: 'mysql',
    // *.mysql-spec.ts: what only a database server can show (a connection that goes away).
    include: ['test/**/*.e2e-spec.ts', 'test/**/*.mysql-spec.ts'],
    // The README's examples run a built server on its embedded SQLite database, as users start it.
    exclude: [...configDefaults.exclude, 'test/readme.e2e-spec.ts'],
    env: { TEST_DB: 'mysql' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/mysql-global-setup.ts'],
  },
};

export default defineConfig({
  test: {
    projects: process.env.TEST_MYSQL_URL ? [sqlite, mysql] : [sqlite],
    pool: 'forks',
  },
});
