import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { DatabaseModule } from '../database/database.module.js';
import { FilesModule } from '../files/files.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RecordsModule } from '../records/records.module.js';
import { SeedModule } from '../seed/seed.module.js';
import { StorageModule } from '../storage/storage.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';

/** The services the admin CLI drives: the same ones the server uses, without HTTP. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(dataSourceOptions(config.database)),
        StorageModule,
        // Providers the feature modules' guards and interceptors need; the CLI serves no request.
        MetricsModule,
        IdempotencyModule,
        AuthModule,
        TenantsModule,
        UsersModule,
        RecordsModule,
        FilesModule,
        SeedModule,
        WebhooksModule,
      ],
    };
  }
}
