import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '../src/metrics/metrics.service.js';
import { fixtures } from './support/fixtures.js';
import { parsePrometheusText, sampleValue, type Sample } from './support/prometheus-text.js';
import { databaseKind, startTestApp, type TestApp } from './support/test-app.js';

const TEXT_ROUTE = '/api/2.0/crm/:entityType/:entityid/files/text';

/** GET /metrics: Prometheus text, no key, counts that move with the requests served. */
describe('GET /metrics', () => {
  let t: TestApp;
  let f: ReturnType<typeof fixtures>;

  beforeAll(async () => {
    t = await startTestApp({ rateLimitPerMinute: 3 });
    f = fixtures(t.app);
  });
  afterAll(() => t?.close());

  const scrape = async (): Promise<Sample[]> => {
    const response = await t.http().get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(response.text);
  };

  /** The request line is counted when the connection is done with the answer. */
  const eventually = async (name: string, labels: Record<string, string>, expected: number) => {
    await expect.poll(async () => sampleValue(await scrape(), name, labels), { timeout: 5_000 }).toBe(expected);
  };

  it('answers without an API key, in the Prometheus text format, with every metric of the service declared', async () => {
    const response = await t.http().get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    for (const name of [
      'crm_files_http_requests_total',
      'crm_files_http_request_duration_seconds',
      'crm_files_uploaded_bytes_total',
      'crm_files_downloaded_bytes_total',
      'crm_files_db_pool_connections_in_use',
      'crm_files_db_pool_waiting_requests',
      'crm_files_rate_limit_rejections_total',
      'crm_files_rate_limiter_redis_failures_total',
      'crm_files_idempotent_replays_total',
      'crm_files_webhook_deliveries_total',
    ]) {
      expect(response.text, name).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'));
    }
    const samples = parsePrometheusText(response.text);
    expect(sampleValue(samples, 'crm_files_idempotent_replays_total')).toBe(0);
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts requests and their latency by method, route template and status, with no id or tenant in any label', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const labels = { method: 'POST', route: TEXT_ROUTE, status: '200' };
    const before = await scrape();

    for (let i = 0; i < 2; i++) {
      const response = await t
        .http()
        .post(`/api/2.0/crm/contact/${contactId}/files/text`)
        .set('Authorization', user.apiKey)
        .send({ title: `n${i}`, content: 'x' });
      expect(response.status).toBe(200);
    }
    expect((await t.http().post(`/api/2.0/crm/contact/${contactId}/files/text`).set('Authorization', 'nope').send({})).status).toBe(401);

    const name = 'crm_files_http_requests_total';
    await eventually(name, labels, sampleValue(before, name, labels) + 2);
    const after = await scrape();
    expect(sampleValue(after, name, { ...labels, status: '401' })).toBe(sampleValue(before, name, { ...labels, status: '401' }) + 1);
    expect(sampleValue(after, 'crm_files_http_request_duration_seconds_count', labels)).toBe(
      sampleValue(before, 'crm_files_http_request_duration_seconds_count', labels) + 2,
    );
    expect(sampleValue(after, 'crm_files_http_request_duration_seconds_sum', labels)).toBeGreaterThan(
      sampleValue(before, 'crm_files_http_request_duration_seconds_sum', labels),
    );

    const ours = after.filter((sample) => sample.name.startsWith('crm_files_'));
    const values = ours.flatMap((sample) =>
      Object.entries(sample.labels)
        .filter(([key]) => key !== 'le')
        .map(([, value]) => value),
    );
    for (const id of [String(contactId), String(tenant.id), user.id, user.apiKey]) expect(values).not.toContain(id);
    for (const route of new Set(ours.map((sample) => sample.labels.route).filter(Boolean))) {
      expect(route).not.toMatch(new RegExp(`/${contactId}(/|$)`));
    }
  });

  it('counts the bytes of uploads and of downloads', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const contactId = await f.contact(tenant.id);
    const content = Buffer.alloc(200_000, 7);
    const before = await scrape();

    const uploaded = await t
      .http()
      .post(`/api/2.0/crm/contact/${contactId}/files/upload`)
      .set('Authorization', user.apiKey)
      .set('Content-Type', 'application/octet-stream')
      .set('Content-Disposition', 'attachment; filename="blob.bin"')
      .send(content);
    expect(uploaded.status).toBe(200);
    const downloaded = await t.http().get(`/api/2.0/crm/files/${uploaded.body.ID}/content`).set('Authorization', user.apiKey);
    expect(downloaded.status).toBe(200);
    const ranged = await t
      .http()
      .get(`/api/2.0/crm/files/${uploaded.body.ID}/content`)
      .set('Authorization', user.apiKey)
      .set('Range', 'bytes=0-99');
    expect(ranged.status).toBe(206);

    await eventually(
      'crm_files_downloaded_bytes_total',
      {},
      sampleValue(before, 'crm_files_downloaded_bytes_total') + content.length + 100,
    );
    expect(sampleValue(await scrape(), 'crm_files_uploaded_bytes_total')).toBe(
      sampleValue(before, 'crm_files_uploaded_bytes_total') + content.length,
    );
  });

  it('counts rate-limit rejections', async () => {
    const tenant = await f.tenant();
    const user = await f.user(tenant.id);
    const before = sampleValue(await scrape(), 'crm_files_rate_limit_rejections_total');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.http().get('/api/2.0/crm/files/root').set('Authorization', user.apiKey)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(sampleValue(await scrape(), 'crm_files_rate_limit_rejections_total')).toBe(before + 2);
  });

  it('counts idempotent replays and webhook deliveries that other parts of the service report', async () => {
    const metrics = t.app.get(MetricsService);
    metrics.idempotentReplays.inc();
    metrics.webhookDeliveries.inc({ outcome: 'delivered' });
    const samples = await scrape();
    expect(sampleValue(samples, 'crm_files_idempotent_replays_total')).toBe(1);
    expect(sampleValue(samples, 'crm_files_webhook_deliveries_total', { outcome: 'delivered' })).toBe(1);
  });

  it('reports the database pool: 0 on SQLite, the connections held on MySQL', async () => {
    const held = t.dataSource.createQueryRunner();
    await held.connect();
    try {
      const samples = await scrape();
      const expected = databaseKind() === 'mysql' ? 1 : 0;
      expect(sampleValue(samples, 'crm_files_db_pool_connections_in_use')).toBeGreaterThanOrEqual(expected);
      expect(sampleValue(samples, 'crm_files_db_pool_waiting_requests')).toBe(0);
      if (databaseKind() === 'sqlite') expect(sampleValue(samples, 'crm_files_db_pool_connections_in_use')).toBe(0);
    } finally {
      await held.release();
    }
  });
});
