import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { AccessListEntry } from './entities/access-list-entry.entity.js';
import { Contact } from './entities/contact.entity.js';
import { CrmCase } from './entities/crm-case.entity.js';
import { Currency } from './entities/currency.entity.js';
import { Opportunity } from './entities/opportunity.entity.js';
import { RecordsService } from './records.service.js';

/** Contacts, opportunities, cases, access lists and currencies, with the access rules that protect them (access/). */
@Module({
  imports: [TypeOrmModule.forFeature([Contact, Opportunity, CrmCase, AccessListEntry, Currency]), UsersModule],
  providers: [RecordsService],
  exports: [RecordsService],
})
export class RecordsModule {}
