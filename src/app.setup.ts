import fastifyMultipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { AppModule } from './app.module.js';
import { clientErrorHandler, deferUnparsableContentTypes, frameworkErrorHandler } from './common/http/framework-errors.js';
import { registerBodyParsers } from './common/http/json-body-parser.js';
import type { AppConfig } from './config/app-config.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';

/**
 * Builds the application exactly as it is served: main.ts and the HTTP tests both come here,
 * so tests run with the real parsers, pipes, guards and filter.
 */
export async function createApp(
  config: AppConfig,
  options: { logger?: false; databaseOverrides?: Partial<DataSourceOptions> } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // Our own parser enforces MAX_JSON_BYTES; uploads stream past Fastify's limit.
    bodyLimit: Number.MAX_SAFE_INTEGER,
    // HEAD is not a method of the contract: unknown methods answer 404.
    exposeHeadRoutes: false,
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    routerOptions: { maxParamLength: 500 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.databaseOverrides), adapter, {
    logger: options.logger === false ? false : ['log', 'warn', 'error'],
    bufferLogs: false,
    // Our parsers replace Nest's: see registerBodyParsers.
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
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
