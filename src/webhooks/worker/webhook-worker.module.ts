import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookDelivery } from '../entities/webhook-delivery.entity.js';
import { WebhookEvent } from '../entities/webhook-event.entity.js';
import { WebhookSubscription } from '../entities/webhook-subscription.entity.js';
import { WebhookWorker } from './webhook-worker.js';

/** The delivery worker: in the server only (the CLI delivers nothing); started by main.ts. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookSubscription, WebhookEvent, WebhookDelivery])],
  providers: [WebhookWorker],
  exports: [WebhookWorker],
})
export class WebhookWorkerModule {}
