import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import supertest from 'supertest';
import type { DestinationStream } from 'pino';
import type { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { createApp, runMigrations } from '../../src/app.setup.js';
import { loadAppConfig, type AppConfig } from '../../src/config/app-config.js';
import { parseDatabaseUrl, type DatabaseConfig } from '../../src/config/database-url.js';
import { buildOpenApiDocument } from '../../src/openapi/openapi-document.js';
import { FILE_STORAGE, type FileStorage } from '../../src/storage/file-storage.js';
import { contractViolations } from './contract-violations.js';
import { IndependentValidator } from './independent-validator.js';
import { OpenApiContract } from './openapi-contract.js';
import { QueryCounter } from './query-counter.js';
import { BucketContents, bucketsByFilesDir, freshBucket, testingOnS3 } from './s3-test-storage.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  dataSource: DataSource;
  http: () => supertest.Agent;
  queries: QueryCounter;
  /** The storage key of a file's content, in the layout of the app's storage driver. */
  storageKey: (tenantId: number, fileId: number) => string;
  close: () => Promise<void>;
}

/** The database of this test project: SQLite in memory, or the run's MySQL/MariaDB database. */
export function testDatabaseConfig(): DatabaseConfig {
  if (process.env.TEST_DB === 'mysql') return parseDatabaseUrl(inject('mysqlDatabaseUrl'), 'TEST_MYSQL_URL');
  return { kind: 'sqlite', path: ':memory:' };
}

export const databaseKind = () => (process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite');

/**
 * The real application (parsers, guards, pipes, filter) on a real database and a temporary folder.
 * In the S3 test project (TEST_STORAGE=s3) its contents go to a fresh bucket of the run's s3rver.
 */
export async function startTestApp(
  overrides: Partial<AppConfig> = {},
  options: { logDestination?: DestinationStream } = {},
): Promise<TestApp> {
  const filesDir = await mkdtemp(join(tmpdir(), 'crm-files-test-'));
  const config: AppConfig = {
    ...loadAppConfig({}),
    database: testDatabaseConfig(),
    databaseIsDefault: false,
    demoSeed: false,
    filesDir,
    rateLimitPerMinute: 0,
    ...(testingOnS3() ? { storage: await freshBucket() } : {}),
    ...overrides,
  };
  if (config.storage.driver === 's3') bucketsByFilesDir.set(filesDir, new BucketContents(config.storage));
  const queries = new QueryCounter();
  const app = await createApp(config, {
    // Silent unless a test reads the log lines.
    ...(options.logDestination ? { logDestination: options.logDestination } : { logger: false as const }),
    databaseOverrides: { logging: ['query'], logger: queries },
  });
  await runMigrations(app);
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const document = buildOpenApiDocument(app, config);
  const contract = new OpenApiContract(document);
  const independent = await IndependentValidator.create(document);
  return {
    app,
    config,
    dataSource,
    queries,
    http: () => supertest.agent(app.getHttpServer()).use(checkAgainst(contract, independent)),
    storageKey: (tenantId, fileId) => app.get<FileStorage>(FILE_STORAGE).keyForFile(tenantId, fileId),
    close: async () => {
      await app.close();
      bucketsByFilesDir.get(filesDir)?.close();
      bucketsByFilesDir.delete(filesDir);
      await rm(filesDir, { recursive: true, force: true });
    },
  };
}

/** A superagent plugin that checks every answer against the OpenAPI document. */
function checkAgainst(contract: OpenApiContract, independent: IndependentValidator) {
  return (request: { method: string; url: string; on(event: 'response', listener: (response: supertest.Response) => void): void }) => {
    request.on('response', (response) => {
      const observed = {
        method: request.method,
        path: new URL(request.url).pathname,
        status: response.status,
        contentType: response.headers['content-type'],
        body: response.body,
        headers: response.headers,
      };
      contractViolations.push(...contract.check(observed), ...independent.check(observed));
    });
  };
}
