import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { FILE_STORAGE, type FileStorage } from '../storage/file-storage.js';
import { CrmFile } from './entities/crm-file.entity.js';

/** Ids checked against the files table per query. */
const BATCH = 500;
/** The timer never runs more often than this, nor less often than every 15 minutes. */
const MIN_INTERVAL_MS = 1_000;
const MAX_INTERVAL_MS = 15 * 60_000;

export interface ReaperReport {
  /** Staged or partial writes removed. */
  staged: number;
  /** Contents removed because no file row names them. */
  orphans: number;
}

/**
 * Removes what a crash leaves in storage: staged and partial writes, and content whose file row
 * was never committed (a crash between writing the content and the commit) or is already deleted
 * (a crash between deleting the row and removing the content). Only entries last written more
 * than STAGING_MAX_AGE_MS ago are touched, so an upload in progress, or content written
 * by a transaction that has not committed yet, is never taken; that age must exceed the longest
 * upload plus commit. Safe with several instances on one storage: each removal is idempotent and
 * based on the committed rows only.
 *
 * A file row without content is not something a crash can leave: content is written under its
 * final key before its row commits, and removed only after its row is deleted.
 */
@Injectable()
export class ContentReaper implements OnModuleDestroy {
  private readonly logger = new Logger(ContentReaper.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReaperReport> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    @InjectRepository(CrmFile) private readonly files: Repository<CrmFile>,
  ) {}

  /** One pass now (awaited), then one every half max age (bounded); called by main.ts after the migrations. */
  async start(): Promise<void> {
    await this.runOnce();
    const interval = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.floor(this.config.stagingMaxAgeMs / 2)));
    this.timer = setInterval(() => void this.runOnce(), interval);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A pass; never two at once in this process. Failures are logged, never thrown. */
  runOnce(): Promise<ReaperReport> {
    this.running ??= this.reap()
      .catch((error: unknown) => {
        this.logger.warn(`Storage clean-up failed, will retry: ${(error as Error).message}`);
        return { staged: 0, orphans: 0 };
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async reap(): Promise<ReaperReport> {
    const report: ReaperReport = { staged: 0, orphans: 0 };
    let batch: { key: string; fileId: number }[] = [];
    for await (const entry of this.storage.listStale(new Date(Date.now() - this.config.stagingMaxAgeMs))) {
      if (entry.fileId === null) {
        await this.storage.remove(entry.key);
        report.staged++;
        continue;
      }
      batch.push({ key: entry.key, fileId: entry.fileId });
      if (batch.length >= BATCH) {
        report.orphans += await this.removeOrphans(batch);
        batch = [];
      }
    }
    if (batch.length > 0) report.orphans += await this.removeOrphans(batch);
    if (report.staged + report.orphans > 0) {
      this.logger.log(`Removed ${report.staged} staged or partial content(s) and ${report.orphans} content(s) without a file row.`);
    }
    return report;
  }

  /** Removes the contents whose key is not that of a committed file row. */
  private async removeOrphans(batch: { key: string; fileId: number }[]): Promise<number> {
    const rows = await this.files.find({
      select: { id: true, tenantId: true },
      where: { id: In(batch.map((entry) => entry.fileId)) },
    });
    const owned = new Set(rows.map((row) => this.storage.keyForFile(row.tenantId, row.id)));
    let removed = 0;
    for (const entry of batch) {
      if (owned.has(entry.key)) continue;
      await this.storage.remove(entry.key);
      removed++;
    }
    return removed;
  }
}
