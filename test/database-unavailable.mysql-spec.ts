import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../src/config/database-url.js';
import { fixtures } from './support/fixtures.js';
import { startTestApp, testDatabaseConfig, type TestApp } from './support/test-app.js';

/**
 * A TCP relay between the service and MySQL that the test can cut, to see what callers get
 * while the database is unreachable, and that the service recovers once it is back.
 */
class CuttableRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    if (this.server?.listening) return;
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server?.listening) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

describe('when the database stops answering', () => {
  let t: TestApp;
  let relay: CuttableRelay;
  let apiKey: string;
  let contactId: number;

  beforeAll(async () => {
    const database = testDatabaseConfig() as Extract<DatabaseConfig, { kind: 'mysql' }>;
    relay = new CuttableRelay({ host: database.host, port: database.port });
    await relay.open();
    t = await startTestApp({ database: { ...database, host: '127.0.0.1', port: relay.port } });
    const f = fixtures(t.app);
    const { tenantId } = await f.tenant();
    ({ apiKey } = await f.user(tenantId));
    contactId = await f.contact(tenantId);
  });
  afterAll(async () => {
    await relay.open();
    await t?.close();
    await relay.cut();
  });

  it('answers 503 with Retry-After on the API and on readiness, 200 on liveness, and recovers', async () => {
    await expect(t.http().get('/health/ready')).resolves.toMatchObject({ status: 200 });
    await relay.cut();

    const ready = await t.http().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toBe('5');
    expect(ready.body).toMatchObject({ type: '/problems/database-unavailable', status: 503 });

    const attach = await t
      .http()
      .post(`/api/2.0/crm/contact/${contactId}/files`)
      .set('Authorization', apiKey)
      .send({ fileids: [1] });
    expect(attach.status).toBe(503);
    expect(attach.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(attach.headers['retry-after']).toBe('5');
    expect(JSON.stringify(attach.body)).not.toMatch(/ECONN|PROTOCOL|127\.0\.0\.1|SELECT/);

    await expect(t.http().get('/health')).resolves.toMatchObject({ status: 200 });

    await relay.open();
    await expect(t.http().get('/health/ready')).resolves.toMatchObject({ status: 200 });
    const list = await t.http().get(`/api/2.0/crm/contact/${contactId}/files`).set('Authorization', apiKey);
    expect(list.status).toBe(200);
  });
});
