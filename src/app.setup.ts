import fastifyMultipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { LogController } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DestinationStream } from 'pino';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { AppModule } from './app.module.js';
import { clientErrorHandler, deferUnparsableContentTypes, frameworkErrorHandler } from './common/http/framework-errors.js';
import { registerBodyParsers } from './common/http/json-body-parser.js';
import { registerSecurityHeaders } from './common/http/security-headers.js';
import type { AppConfig } from './config/app-config.js';
import { PinoNestLogger } from './logging/pino-nest-logger.js';
import { requestIdOf } from './logging/request-id.js';
import { observeRequests } from './logging/request-logging.js';
import { createRootLogger } from './logging/root-logger.js';
import { MetricsService } from './metrics/metrics.service.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';

/**
 * Builds the application exactly as it is served: main.ts and the HTTP tests both come here,
 * so tests run with the real parsers, pipes, guards and filter.
 */
export async function createApp(
  config: AppConfig,
  options: { logger?: false; logDestination?: DestinationStream; databaseOverrides?: Partial<DataSourceOptions> } = {},
): Promise<NestFastifyApplication> {
  // `logger: false` (most tests) keeps the one logger, silenced; `logDestination` lets tests read the lines.
  const rootLogger = createRootLogger(options.logger === false ? 'silent' : config.logLevel, options.logDestination);
  const adapter = new FastifyAdapter({
    loggerInstance: rootLogger,
    // One line per request is written by observeRequests, not Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    // Our own parser enforces MAX_JSON_BYTES; uploads stream past Fastify's limit.
    bodyLimit: Number.MAX_SAFE_INTEGER,
    // HEAD is not a method of the contract: unknown methods answer 404.
    exposeHeadRoutes: false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    routerOptions: { maxParamLength: 500 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.databaseOverrides), adapter, {
    logger: options.logger === false ? false : new PinoNestLogger(rootLogger),
    bufferLogs: false,
    // Our parsers replace Nest's: see registerBodyParsers.
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // First, so that every later hook and the handler run with the request's id and logger.
  observeRequests(fastify, app.get(MetricsService));
  await registerSecurityHeaders(app, config.corsOrigins);
  deferUnparsableContentTypes(fastify);
  registerBodyParsers(fastify, config.maxJsonBytes);
  await app.register(fastifyMultipart, {
    // One byte over our own limit, so that the storage meter (which answers 413) trips first.
    limits: { fileSize: config.maxUploadBytes + 1, files: 1000, fields: 1000, fieldSize: 1_048_576, parts: 2000 },
    throwFileSizeLimit: true,
  });

  setUpSwagger(app, config);
  await app.init();
  await fastify.ready();
  return app;
}

function setUpSwagger(app: NestFastifyApplication, config: AppConfig): void {
  const document = buildOpenApiDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}

export async function runMigrations(app: NestFastifyApplication): Promise<string[]> {
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const migrations = await dataSource.runMigrations({ transaction: 'each' });
  return migrations.map((migration) => migration.name);
}
