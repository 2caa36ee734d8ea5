import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookEvent } from '../entities/webhook-event.entity.js';
import { WebhookOutbox } from './webhook-outbox.js';

/** The outbox alone, for the modules whose changes publish events (files, history). */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEvent])],
  providers: [WebhookOutbox],
  exports: [WebhookOutbox],
})
export class WebhookOutboxModule {}
