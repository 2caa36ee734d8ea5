import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, runMigrations } from './app.setup.js';
import { loadAppConfig, type AppConfig } from './config/app-config.js';
import { ConfigError } from './config/config-error.js';
import { IdempotencyStore } from './idempotency/idempotency.store.js';
import { ContentReaper } from './files/content-reaper.js';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown.js';
import { DemoSeedService } from './seed/demo-seed.service.js';
import { TenantsService } from './tenants/tenants.service.js';
import { WebhookWorker } from './webhooks/worker/webhook-worker.js';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadAppConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Invalid configuration: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const logger = new Logger('Bootstrap');
  const app = await createApp(config);

  const applied = await runMigrations(app);
  if (applied.length > 0) logger.log(`Applied migrations: ${applied.join(', ')}`);
  // What a crash left in storage goes before serving, then periodically.
  await app.get(ContentReaper).start();
  await app.get(IdempotencyStore).start();

  // The demo data only ever goes into the embedded default database, and only when it is empty.
  if (config.databaseIsDefault && config.demoSeed && (await app.get(TenantsService).isEmpty())) {
    const demo = await app.get(DemoSeedService).seed();
    logger.log(`Created the demo data set. API keys:\n${JSON.stringify(demo, null, 2)}`);
  }

  await app.listen({ port: config.port, host: config.host });
  installGracefulShutdown(app, { graceMs: config.shutdownGraceMs, logger: new Logger('Shutdown') });
  // Events committed before a crash or a restart are in the outbox: delivery picks them up now.
  app.get(WebhookWorker).start();
  logger.log(`Serving on http://${config.host}:${config.port} (Swagger UI at /api/docs)`);
}

void bootstrap();
