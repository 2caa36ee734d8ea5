import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FilesModule } from '../files/files.module.js';
import { HistoryModule } from '../history/history.module.js';
import { Tenant } from './entities/tenant.entity.js';
import { TenantsService } from './tenants.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Tenant]), FilesModule, HistoryModule],
  providers: [TenantsService],
  exports: [TenantsService],
})
export class TenantsModule {}
