import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { WebhookWorker } from '../../src/webhooks/worker/webhook-worker.js';
import { useTestApp, type TestScene } from './use-test-app.js';
import { WebhookReceiver } from './webhook-receiver.js';

export interface WebhookDeliveryScene extends TestScene {
  /** A fresh receiver on loopback for each test (closed after it); a test may replace it. */
  receiver: WebhookReceiver;
}

/**
 * The real application with its delivery worker running, allowed to deliver to http and loopback
 * targets with the given retry schedule, and a fresh receiver for each test. Read `receiver`
 * from the returned object inside tests (it changes from test to test).
 */
export function useWebhookDelivery(retryScheduleMs: number[]): WebhookDeliveryScene {
  const scene = useTestApp({ webhooks: { allowHttp: true, allowPrivateTargets: true, retryScheduleMs } }) as WebhookDeliveryScene;
  beforeAll(() => scene.t.app.get(WebhookWorker).start());
  beforeEach(async () => {
    scene.receiver = await WebhookReceiver.start();
  });
  afterEach(() => scene.receiver.close());
  afterAll(() => scene.t.app.get(WebhookWorker).stop());
  return scene;
}
