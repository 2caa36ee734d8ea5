import swc from 'unplugin-swc';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Decorator metadata (Nest's dependency injection, TypeORM, class-validator) needs SWC:
// Vite's own transform does not emit it.
const plugins = [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2023' } })];

const sqlite: TestProjectInlineConfiguration = {
  plugins,
  test: {
    name: 'sqlite',
    maxWorkers: 2,
    sequence: { groupOrder: 0 },
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
    maxWorkers: 1,
    sequence: { groupOrder: 1 },
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

// The files suites again with contents in an S3 bucket (a real S3 protocol peer, s3rver, started
// for the run on loopback), on SQLite; *.s3-spec.ts: what only the S3 driver shows (several
// service processes sharing a bucket and, when TEST_MYSQL_URL is set, a MariaDB database).
const s3: TestProjectInlineConfiguration = {
  plugins,
  test: {
    name: 's3',
    maxWorkers: 2,
    sequence: { groupOrder: 0 },
    include: ['test/files/**/*.e2e-spec.ts', 'test/history/delete.e2e-spec.ts', 'test/**/*.s3-spec.ts'],
    // It breaks the local disk on purpose (a file where a folder must go); s3-storage.s3-spec.ts
    // covers a failing bucket.
    exclude: [...configDefaults.exclude, 'test/files/upload-storage-failure.e2e-spec.ts'],
    // The AWS SDK warns once per process that it will need Node 22 from 2027.
    env: { TEST_DB: 'sqlite', TEST_STORAGE: 's3', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/s3rver-global-setup.ts'],
  },
};

export default defineConfig({
  test: {
    projects: process.env.TEST_MYSQL_URL ? [sqlite, mysql, s3] : [sqlite, s3],
    pool: 'forks',
    // The SQLite and S3 projects first, two files at a time (each file has its own in-memory
    // database, CLI database file, bucket and folders, so they share nothing but the machine);
    // then the MySQL project one file at a time: its files share one database, whose tables some
    // tests count whole, and in which one file's delivery worker would take another's deliveries.
  },
});
