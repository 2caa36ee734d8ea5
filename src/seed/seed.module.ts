import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { RecordsModule } from '../records/records.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { DemoSeedService } from './demo-seed.service.js';

@Module({
  imports: [TenantsModule, UsersModule, RecordsModule, FilesModule],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class SeedModule {}
