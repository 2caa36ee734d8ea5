import { Module } from '@nestjs/common';
import { WebhookWorker } from './webhook-worker.js';

/** The delivery worker: in the server only (the CLI delivers nothing); started by main.ts. */
@Module({ providers: [WebhookWorker], exports: [WebhookWorker] })
export class WebhookWorkerModule {}
