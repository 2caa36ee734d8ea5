import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from './config/app-config.js';
import { AuthModule } from './auth/auth.module.js';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter.js';
import { RequestBodyInterceptor } from './common/http/request-body.interceptor.js';
import { RequestValidationPipe } from './common/validation/request-validation.pipe.js';
import { ConfigModule } from './config/config.module.js';
import { CrmFilesModule } from './crm-files/crm-files.module.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { HistoryModule } from './history/history.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { SeedModule } from './seed/seed.module.js';
import { TenantsModule } from './tenants/tenants.module.js';
import { StorageModule } from './storage/storage.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WebhookWorkerModule } from './webhooks/worker/webhook-worker.module.js';

/** The HTTP application. Its global filter, interceptor and pipe are the same in tests. */
@Module({})
export class AppModule {
  /** `databaseOverrides` lets tests attach a query-counting logger; the server passes none. */
  static forRoot(config: AppConfig, databaseOverrides: Partial<DataSourceOptions> = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ ...dataSourceOptions(config.database), ...databaseOverrides } as DataSourceOptions),
        StorageModule,
        AuthModule,
        CrmFilesModule,
        HistoryModule,
        HealthModule,
        MetricsModule,
        LifecycleModule,
        IdempotencyModule,
        WebhooksModule,
        WebhookWorkerModule,
        // For the demo seed at start-up.
        TenantsModule,
        SeedModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_INTERCEPTOR, useClass: RequestBodyInterceptor },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
      ],
    };
  }
}
