import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, rmdir, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { createApp, runMigrations } from '../../src/app.setup.js';
import { loadAppConfig } from '../../src/config/app-config.js';
import { parseDatabaseUrl } from '../../src/config/database-url.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';

/**
 * Real service processes for the tests that only a process can show: signals, crashes, and
 * several instances on one database. Each test gets its own port, folder and database.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const LOCK = join(tmpdir(), `crm-files-build-${Buffer.from(ROOT).toString('hex').slice(-32)}.lock`);

/** Compiles dist/ when a source is newer (as `npm start` does), one test file at a time. */
export async function ensureBuilt(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      // A lock older than two minutes was left by a killed run.
      const age = Date.now() - (await stat(LOCK).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 120_000) await rmdir(LOCK).catch(() => undefined);
      if (attempt > 600) throw new Error('Timed out waiting for another test file to build');
      await sleep(200);
    }
  }
  try {
    await promisify(execFile)(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: ROOT });
  } finally {
    await rmdir(LOCK).catch(() => undefined);
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export interface Scratch {
  /** DATABASE_URL for the service. */
  databaseUrl: string;
  filesDir: string;
  /** A DataSource on the scratch database, for assertions. */
  dataSource: DataSource;
  /** The real application in this process on the same database and folder: for fixtures. */
  withApp<T>(work: (app: NestFastifyApplication) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

/** A fresh, migrated database (a SQLite file, or a new MySQL/MariaDB database) and a fresh files folder. */
export async function scratch(kind: 'sqlite' | 'mysql'): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'crm-files-process-'));
  const filesDir = join(dir, 'files');
  let databaseUrl: string;
  let dropDatabase = async () => undefined as void;
  if (kind === 'sqlite') {
    databaseUrl = `sqlite:${join(dir, 'crm.sqlite')}`;
  } else {
    const runUrl = new URL(inject('mysqlDatabaseUrl'));
    const name = `crm_files_proc_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new DataSource({
      ...dataSourceOptions(parseDatabaseUrl(runUrl.toString(), 'TEST_MYSQL_URL')),
      entities: [],
      migrations: [],
    });
    await admin.initialize();
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    runUrl.pathname = `/${name}`;
    databaseUrl = runUrl.toString();
    dropDatabase = async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.destroy();
    };
  }
  const dataSource = new DataSource(dataSourceOptions(parseDatabaseUrl(databaseUrl, 'DATABASE_URL')));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return {
    databaseUrl,
    filesDir,
    dataSource,
    withApp: async (work) => {
      const config = { ...loadAppConfig({ DATABASE_URL: databaseUrl, FILES_DIR: filesDir, DEMO_SEED: 'false' }), rateLimitPerMinute: 0 };
      const app = await createApp(config, { logger: false });
      try {
        await runMigrations(app);
        return await work(app);
      } finally {
        await app.close();
      }
    },
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await dropDatabase();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One service process, in its own process group (as a terminal or a supervisor runs it). */
export class ServiceProcess {
  output = '';
  readonly exited: Promise<Exit>;
  private exit: Exit | null = null;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((done) => child.once('exit', (code, signal) => done((this.exit = { code, signal }))));
  }

  /** `npm start` (viaNpm) or `node dist/src/main.js`, with the given settings; resolves once it serves. */
  static async start(options: { env: Record<string, string>; viaNpm?: boolean; port?: number }): Promise<ServiceProcess> {
    const port = options.port ?? (await freePort());
    const [command, args] = options.viaNpm ? ['npm', ['start']] : [process.execPath, ['dist/src/main.js']];
    const child = spawn(command, args, {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        HOST: '127.0.0.1',
        PORT: String(port),
        RATE_LIMIT_PER_MINUTE: '0',
        ...options.env,
      },
    });
    const service = new ServiceProcess(child, port);
    await service.waitUntilServing();
    return service;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async waitUntilServing(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`The service exited (${JSON.stringify(this.exit)}) before serving:\n${this.output}`);
      try {
        const answer = await fetch(`${this.url}/health`);
        if (answer.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    this.killGroup('SIGKILL');
    throw new Error(`The service did not serve within 60 s:\n${this.output}`);
  }

  /** A signal to the whole process group (npm and node alike), as Ctrl-C in a terminal sends it. */
  killGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** True while any process of the group is alive. */
  groupAlive(): boolean {
    try {
      process.kill(-this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Waits for the exit, at most `ms`; kills the group if it is still there. */
  async waitForExit(ms: number): Promise<Exit | 'timeout'> {
    const result = await Promise.race([this.exited, sleep(ms).then(() => 'timeout' as const)]);
    if (result === 'timeout') this.killGroup('SIGKILL');
    return result;
  }

  /** For afterAll: nothing of the test may outlive it. */
  async stop(): Promise<void> {
    if (!this.exit) this.killGroup('SIGKILL');
    await this.exited;
  }
}
