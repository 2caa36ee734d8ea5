/**
 * How much the process's memory grows while it receives one large upload.
 *
 *   npm run bench:upload-memory -- [MiB] [--multipart]      (default 1024, raw body)
 *
 * Boots the real application on a throwaway SQLite database and folder, streams a raw upload
 * of the given size to it over loopback from this same process, samples the resident set
 * size every 20 ms, and prints the baseline, the peak and the growth. Memory, not time, is
 * measured, so a busy machine does not change the answer much.
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createApp, runMigrations } from '../src/app.setup.js';
import { loadAppConfig } from '../src/config/app-config.js';
import { DemoSeedService } from '../src/seed/demo-seed.service.js';

const mebibytes = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 1024);
const multipart = process.argv.includes('--multipart');
const boundary = 'crm-files-bench-boundary';
const preamble = Buffer.from(
  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
);
const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
const size = mebibytes * 1024 * 1024;
const dir = await mkdtemp(join(tmpdir(), 'crm-files-bench-'));
const config = {
  ...loadAppConfig({}),
  database: { kind: 'sqlite' as const, path: join(dir, 'db.sqlite') },
  databaseIsDefault: false,
  demoSeed: false,
  filesDir: join(dir, 'files'),
  maxUploadBytes: size,
  rateLimitPerMinute: 0,
};
const app = await createApp(config, { logger: false });
await runMigrations(app);
const { tenants } = await app.get(DemoSeedService).seed();
await app.listen({ port: 0, host: '127.0.0.1' });
const { port } = app.getHttpServer().address() as AddressInfo;

function* chunks(): Generator<Buffer> {
  if (multipart) yield preamble;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let sent = 0; sent < size; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, size - sent));
  if (multipart) yield epilogue;
}

global.gc?.();
const baseline = process.memoryUsage().rss;
let peak = baseline;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const started = Date.now();
const status = await new Promise<number>((resolve, reject) => {
  const req = request(
    {
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/2.0/crm/contact/${tenants[0].contacts.person}/files/upload`,
      headers: multipart
        ? {
            Authorization: tenants[0].users.member.apiKey,
            'Content-Type': `multipart/form-data; boundary=${boundary}`,
            'Content-Length': String(preamble.length + size + epilogue.length),
          }
        : {
            Authorization: tenants[0].users.member.apiKey,
            'Content-Type': 'application/octet-stream',
            'Content-Disposition': 'attachment; filename="big.bin"',
            'Content-Length': String(size),
          },
    },
    (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    },
  );
  req.on('error', reject);
  pipeline(Readable.from(chunks()), req).catch(reject);
});
clearInterval(sampler);
const seconds = (Date.now() - started) / 1000;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
console.log(
  JSON.stringify({
    uploadMiB: mebibytes,
    body: multipart ? 'multipart/form-data' : 'raw',
    status,
    seconds,
    baselineRssMiB: mib(baseline),
    peakRssMiB: mib(peak),
    growthMiB: mib(peak - baseline),
  }),
);
await app.close();
await rm(dir, { recursive: true, force: true });
