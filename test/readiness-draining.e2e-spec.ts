import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGracefulShutdown } from '../src/lifecycle/graceful-shutdown.js';
import { slowRequest } from './support/slow-request.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** What a load balancer sees while an instance drains (the process-level test is graceful-shutdown). */
describe('readiness while draining', () => {
  let t: TestApp;
  let exitCode: number | null = null;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    // The drain closed the application already.
    await t.close().catch(() => undefined);
  });

  it('answers 503 with Retry-After from the moment draining starts, while a request in flight still gets its answer', async () => {
    const url = await t.app.getUrl();
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    const logs: string[] = [];
    const shutdown = createGracefulShutdown(t.app, {
      graceMs: 5000,
      logger: {
        log: (message) => logs.push(String(message)),
        warn: (message) => logs.push(String(message)),
        error: (message) => logs.push(String(message)),
      },
      exit: (code) => (exitCode = code),
    });
    const agent = new Agent({ keepAlive: true });
    // Malformed JSON answers 400 without a database or key: what matters is that it is answered.
    const inFlight = slowRequest(agent, url, {
      path: '/api/2.0/crm/contact/1/files',
      headers: { 'Content-Type': 'application/json' },
      first: '{"file',
      rest: 'ids": [1]}',
    });
    await sleep(200);
    shutdown.onSignal('SIGTERM');

    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toBe('5');
    expect(ready.json()).toMatchObject({ status: 503, type: expect.stringContaining('shutting-down') });
    expect(exitCode).toBeNull();

    inFlight.finish();
    const answer = await inFlight.answer;
    expect(answer.status).toBe(401);
    expect(answer.headers.connection).toBe('close');
    await shutdown.finished();
    expect(exitCode).toBe(0);
    expect(logs[0]).toMatch(/^Received SIGTERM: draining 1 request/);
    agent.destroy();
  });
});
