import { Controller, Get, HttpCode, Inject, Logger, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { MediaTypeObject } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { DatabaseUnavailableError } from '../common/errors/api-error.js';
import { problemResponse } from '../common/http/api-problem-responses.decorator.js';
import { ShutdownState } from '../lifecycle/shutdown-state.js';
import { ShuttingDownError } from '../lifecycle/shutting-down.error.js';
import { FILE_STORAGE, type FileStorage } from '../storage/file-storage.js';
import { StorageUnavailableError } from '../storage/storage-unavailable.error.js';

const STATUS_OK: MediaTypeObject = {
  schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
};

/** Liveness and readiness for orchestrators; no API key needed. */
@ApiTags('Health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get()
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness', description: 'Answers 200 while the process is up.' })
  @ApiOkResponse({ description: 'The process is up.', content: { 'application/json': STATUS_OK } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness',
    description:
      'Answers 200 when the database and the file storage (for S3, the bucket) answer, else 503; 503 too from the moment a shutdown starts draining.',
  })
  @ApiOkResponse({ description: 'The database and the file storage answer.', content: { 'application/json': STATUS_OK } })
  @ApiResponse(problemResponse(503))
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: 'ok' }> {
    if (this.shutdown.draining) throw new ShuttingDownError();
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new DatabaseUnavailableError();
    }
    try {
      await this.storage.checkReady?.();
    } catch (error) {
      this.logger.warn(`The file storage is not ready: ${(error as Error).name}: ${(error as Error).message}`);
      throw new StorageUnavailableError();
    }
    reply.header('Cache-Control', 'no-store');
    return { status: 'ok' };
  }
}
