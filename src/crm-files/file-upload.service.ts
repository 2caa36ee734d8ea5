import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
// Brings the multipart request methods (isMultipart, parts) into Fastify's request type.
import type {} from '@fastify/multipart';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { ApiError, InvalidRequestError, PayloadTooLargeError } from '../common/errors/api-error.js';
import { filenameFromDisposition } from '../common/http/content-disposition.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { FileDto } from '../files/dto/file.dto.js';
import { cleanFileName, DEFAULT_CONTENT_TYPE } from '../files/file-name.js';
import { FilesService, type NewFile } from '../files/files.service.js';
import { filesUploadedEvent, HistoryEventsService } from '../history/history-events.service.js';
import type { LoadedRecord } from '../records/loaded-record.js';
import { ContentTooLargeError } from '../storage/file-storage.js';

/** The longest content type a file row holds (files.content_type is varchar(255)). */
const MAX_CONTENT_TYPE_LENGTH = 255;

/**
 * Uploads into the tenant's root folder, multipart (every file part) or raw (one file named by
 * Content-Disposition). Contents stream to storage; rows are written only once every part has
 * arrived whole, in one transaction with the optional attaching event.
 */
@Injectable()
export class FileUploadService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: FilesService,
    private readonly history: HistoryEventsService,
  ) {}

  /**
   * The problems a raw upload's headers alone show (size, file name, content type), thrown
   * before the record is looked up: SPEC §4 judges the request's form before the records it
   * names. A multipart body's problems show only while it is read, after the record check.
   */
  checkHeaders(request: FastifyRequest): void {
    if (!request.isMultipart()) this.rawFileHeaders(request);
  }

  async upload(caller: AuthenticatedUser, record: LoadedRecord, request: FastifyRequest, attach: boolean): Promise<FileDto> {
    const received: NewFile[] = [];
    try {
      if (request.isMultipart()) {
        await this.receiveMultipart(caller, request, received, attach);
      } else {
        await this.receiveRaw(caller, request, received);
      }
    } catch (error) {
      await this.files.discard(received.map((file) => file.content));
      throw this.asApiError(error);
    }
    if (received.length === 0) throw new InvalidRequestError('The request carries no file.');

    const { files } = await this.files.commit(caller, received, async (manager, created) => {
      if (!attach) return;
      await this.history.insert(manager, caller, filesUploadedEvent(record, created.map((file) => file.id)));
    });
    const [last] = await this.files.toDtos([files[files.length - 1]]);
    return last;
  }

  private async receiveMultipart(caller: AuthenticatedUser, request: FastifyRequest, received: NewFile[], attach: boolean): Promise<void> {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      if (attach && received.length >= this.config.maxFileIds) {
        // Attaching links every file in one event, which holds at most MAX_FILE_IDS files (SPEC §4.1).
        part.file.resume();
        throw new InvalidRequestError(`With attach=true at most ${this.config.maxFileIds} files (MAX_FILE_IDS) may be uploaded at once; nothing was kept.`, [
          { field: 'attach', message: `attach=true takes at most ${this.config.maxFileIds} file parts (MAX_FILE_IDS)` },
        ]);
      }
      const name = cleanFileName(part.filename ?? '');
      if (name === '') {
        part.file.resume();
        throw new InvalidRequestError('Every file part needs a file name that is not empty once cleaned.', [
          { field: part.fieldname, message: 'the file name is missing or empty' },
        ]);
      }
      if (part.mimetype.length > MAX_CONTENT_TYPE_LENGTH) {
        part.file.resume();
        throw new InvalidRequestError(`A file part's Content-Type may be at most ${MAX_CONTENT_TYPE_LENGTH} characters.`, [
          { field: part.fieldname, message: `the part's Content-Type is longer than ${MAX_CONTENT_TYPE_LENGTH} characters` },
        ]);
      }
      const content = await this.files.stage(caller, part.file, this.config.maxUploadBytes);
      received.push({ name, contentType: part.mimetype || DEFAULT_CONTENT_TYPE, content });
    }
  }

  private async receiveRaw(caller: AuthenticatedUser, request: FastifyRequest, received: NewFile[]): Promise<void> {
    const { name, contentType } = this.rawFileHeaders(request);
    const content = await this.files.stage(caller, request.raw, this.config.maxUploadBytes);
    received.push({ name, contentType, content });
  }

  /** A raw upload's name and content type from its headers, or the problem they show: 413, then 400. */
  private rawFileHeaders(request: FastifyRequest): { name: string; contentType: string } {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.config.maxUploadBytes) throw this.tooLarge();
    const header = request.headers['content-disposition'];
    const rawName = filenameFromDisposition(header);
    if (rawName === null) {
      throw new InvalidRequestError(
        'Send multipart/form-data, or the file as the body with Content-Disposition: attachment; filename="...".',
        [{ field: 'Content-Disposition', message: 'a filename is required' }],
      );
    }
    const name = cleanFileName(rawName);
    if (name === '') {
      throw new InvalidRequestError('The file name is empty once cleaned.', [{ field: 'Content-Disposition', message: 'the file name is empty' }]);
    }
    const contentType = request.headers['content-type']?.trim() || DEFAULT_CONTENT_TYPE;
    if (contentType.length > MAX_CONTENT_TYPE_LENGTH) {
      throw new InvalidRequestError(`The Content-Type may be at most ${MAX_CONTENT_TYPE_LENGTH} characters.`, [
        { field: 'Content-Type', message: `Content-Type is longer than ${MAX_CONTENT_TYPE_LENGTH} characters` },
      ]);
    }
    return { name, contentType };
  }

  private asApiError(error: unknown): unknown {
    if (error instanceof ApiError) return error;
    if (error instanceof ContentTooLargeError) return this.tooLarge();
    const code = (error as { code?: unknown })?.code;
    if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      return this.tooLarge();
    }
    const message = (error as Error)?.message ?? '';
    if ((typeof code === 'string' && code.startsWith('FST_')) || /multipart|boundary|form|terminated/i.test(message)) {
      return new InvalidRequestError('The multipart body is malformed.');
    }
    return error;
  }

  private tooLarge(): PayloadTooLargeError {
    return new PayloadTooLargeError(`A file may be at most ${this.config.maxUploadBytes} bytes (MAX_UPLOAD_BYTES); nothing was kept.`);
  }
}
