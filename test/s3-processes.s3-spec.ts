import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Config } from '../src/config/storage-config.js';
import { BucketContents, freshBucket } from './support/s3-test-storage.js';
import { sha256 } from './support/stored-files.js';

/**
 * The built service (`node dist/src/main.js`) as separate processes on STORAGE_DRIVER=s3: what
 * one process cannot show. Memory stays flat through a large upload, measured from outside;
 * and two instances share one bucket and one MariaDB database.
 */

const MiB = 1024 * 1024;
const run = promisify(execFile);

function storageEnv(storage: S3Config): Record<string, string> {
  return {
    STORAGE_DRIVER: 's3',
    S3_BUCKET: storage.bucket,
    S3_ENDPOINT: storage.endpoint ?? '',
    S3_REGION: storage.region,
    S3_PREFIX: storage.prefix,
    S3_ACCESS_KEY_ID: storage.accessKeyId ?? '',
    S3_SECRET_ACCESS_KEY: storage.secretAccessKey ?? '',
    S3_FORCE_PATH_STYLE: String(storage.forcePathStyle),
  };
}

/** Only what the service needs: nothing of the test runner's own environment leaks in. */
function serviceEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RATE_LIMIT_PER_MINUTE: '0',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface DemoTenant {
  id: number;
  users: Record<'admin' | 'member' | 'outsider', { id: string; apiKey: string }>;
  contacts: { person: number };
}

/** `seed --demo` through the built CLI (it applies the migrations first). */
async function seedDemo(env: NodeJS.ProcessEnv): Promise<DemoTenant> {
  const { stdout } = await run(process.execPath, ['dist/src/cli/main.js', 'seed', '--demo'], { env });
  return (JSON.parse(stdout) as { tenants: DemoTenant[] }).tenants[0];
}

interface Service {
  base: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

async function startService(env: NodeJS.ProcessEnv): Promise<Service> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${base}/health/ready`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`the service did not become ready:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    base,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Peak and current resident set size of a process, from /proc (Linux), in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Streams `size` bytes of a repeating pattern as a raw upload; resolves with the answer and the SHA-256 of what was sent. */
function uploadStream(
  base: string,
  apiKey: string,
  contactId: number,
  size: number,
): Promise<{ status: number; body: { ID: number }; sha256: string }> {
  const pattern = Buffer.alloc(256 * 1024);
  for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31 + 7) % 251;
  const hash = createHash('sha256');
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request(
      {
        host: hostname,
        port,
        agent: false,
        method: 'POST',
        path: `/api/2.0/crm/contact/${contactId}/files/upload`,
        headers: {
          Authorization: apiKey,
          'Content-Type': 'application/octet-stream',
          'Content-Disposition': 'attachment; filename="large.bin"',
          'Content-Length': String(size),
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text), sha256: hash.digest('hex') }));
      },
    );
    req.on('error', reject);
    let sent = 0;
    const more = () => {
      while (sent < size) {
        const chunk = pattern.subarray(0, Math.min(pattern.length, size - sent));
        sent += chunk.length;
        hash.update(chunk);
        if (!req.write(chunk)) return void req.once('drain', more);
      }
      req.end();
    };
    more();
  });
}

async function downloadSha256(base: string, apiKey: string, fileId: number): Promise<{ status: number; sha256: string; size: number }> {
  const response = await fetch(`${base}/api/2.0/crm/files/${fileId}/content`, { headers: { Authorization: apiKey } });
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { status: response.status, sha256: hash.digest('hex'), size };
}

beforeAll(() => {
  // One build for the file; skipped when dist/ is newer than every source.
  execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
}, 300_000);

describe('one service process on STORAGE_DRIVER=s3 (SQLite)', () => {
  let dir: string;
  let storage: S3Config & { driver: 's3' };
  let service: Service;
  let demo: DemoTenant;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crm-files-s3-process-'));
    storage = await freshBucket();
    const env = serviceEnv({
      ...storageEnv(storage),
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      MAX_UPLOAD_BYTES: String(512 * MiB),
    });
    demo = await seedDemo(env);
    service = await startService(env);
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes a 256 MiB raw upload with flat memory and stores it byte for byte', async () => {
    const apiKey = demo.users.member.apiKey;
    // Warm up: one multipart upload loads every code path before the baseline is taken.
    expect((await uploadStream(service.base, apiKey, demo.contacts.person, 12 * MiB)).status).toBe(200);
    const before = memoryOf(service.process.pid!);

    const size = 256 * MiB;
    const uploaded = await uploadStream(service.base, apiKey, demo.contacts.person, size);

    const after = memoryOf(service.process.pid!);
    expect(uploaded.status).toBe(200);
    const growth = after.peak - before.rss;
    // Parts of at least 5 MiB, two in flight: a few tens of MiB whatever the size, never the file.
    expect(growth, `peak RSS grew by ${(growth / MiB).toFixed(1)} MiB`).toBeLessThan(80 * MiB);

    const bucket = new BucketContents(storage);
    try {
      expect(await bucket.keys()).toContain(`${demo.id}/${uploaded.body.ID}`);
    } finally {
      bucket.close();
    }
    const downloaded = await downloadSha256(service.base, apiKey, uploaded.body.ID);
    expect(downloaded).toEqual({ status: 200, sha256: uploaded.sha256, size });
  }, 600_000);
});

describe.skipIf(!process.env.TEST_MYSQL_URL)('two service processes sharing one bucket and one MariaDB database', () => {
  let admin: mysql.Connection;
  let database: string;
  let storage: S3Config & { driver: 's3' };
  let first: Service;
  let second: Service;
  let demo: DemoTenant;

  beforeAll(async () => {
    const server = new URL(process.env.TEST_MYSQL_URL!);
    admin = await mysql.createConnection({
      host: server.hostname,
      port: Number(server.port || 3306),
      user: decodeURIComponent(server.username),
      password: decodeURIComponent(server.password),
    });
    database = `crm_files_s3_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const url = new URL(server);
    url.pathname = `/${database}`;
    storage = await freshBucket('shared/');
    const env = serviceEnv({ ...storageEnv(storage), DATABASE_URL: url.toString() });
    demo = await seedDemo(env);
    [first, second] = await Promise.all([startService(env), startService(env)]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin?.end();
  });

  it('a file uploaded through one is downloaded, in ranges and whole, and deleted through the other', async () => {
    const apiKey = demo.users.member.apiKey;
    const content = randomBytes(6 * MiB + 321);

    const upload = await fetch(`${first.base}/api/2.0/crm/contact/${demo.contacts.person}/files/upload`, {
      method: 'POST',
      headers: {
        Authorization: apiKey,
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': 'attachment; filename="shared.bin"',
      },
      body: content,
    });
    expect(upload.status).toBe(200);
    const { ID: fileId } = (await upload.json()) as { ID: number };

    const whole = await fetch(`${second.base}/api/2.0/crm/files/${fileId}/content`, { headers: { Authorization: apiKey } });
    expect(whole.status).toBe(200);
    // Compared by digest: a deep equality of megabytes of bytes takes Vitest minutes.
    expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(sha256(content));

    const range = await fetch(`${second.base}/api/2.0/crm/files/${fileId}/content`, {
      headers: { Authorization: apiKey, Range: 'bytes=5242870-5242889' },
    });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 5242870-5242889/${content.length}`);
    expect(Buffer.from(await range.arrayBuffer())).toEqual(content.subarray(5_242_870, 5_242_890));

    // Ids taken by either instance never collide.
    const other = await fetch(`${second.base}/api/2.0/crm/contact/${demo.contacts.person}/files/upload`, {
      method: 'POST',
      headers: { Authorization: apiKey, 'Content-Type': 'text/plain', 'Content-Disposition': 'attachment; filename="b.txt"' },
      body: 'from the second instance',
    });
    expect(other.status).toBe(200);
    const { ID: otherId } = (await other.json()) as { ID: number };
    expect(otherId).not.toBe(fileId);
    const viaFirst = await fetch(`${first.base}/api/2.0/crm/files/${otherId}/content`, { headers: { Authorization: apiKey } });
    expect(await viaFirst.text()).toBe('from the second instance');

    const deleted = await fetch(`${second.base}/api/2.0/crm/files/${fileId}`, { method: 'DELETE', headers: { Authorization: apiKey } });
    expect(deleted.status).toBe(200);
    const gone = await fetch(`${first.base}/api/2.0/crm/files/${fileId}/content`, { headers: { Authorization: apiKey } });
    expect(gone.status).toBe(404);
    const bucket = new BucketContents(storage);
    try {
      expect(await bucket.keys()).not.toContain(`${demo.id}/${fileId}`);
      expect(await bucket.keys()).toContain(`${demo.id}/${otherId}`);
    } finally {
      bucket.close();
    }
  }, 120_000);
});
