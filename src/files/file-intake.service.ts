import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
// Brings the multipart request methods (isMultipart, parts) into Fastify's request type.
import type {} from '@fastify/multipart';
import { ApiError, InvalidRequestError, PayloadTooLargeError } from '../common/errors/api-error.js';
import { filenameFromDisposition, MalformedDispositionError } from '../common/http/content-disposition.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { markUploadBodyRead, rawPart, recordUploadedPart } from '../idempotency/request-fingerprint.js';
import { ContentTooLargeError } from '../storage/file-storage.js';
import { cleanFileName, DEFAULT_CONTENT_TYPE } from './file-name.js';
import { FilesService, type FileOwner, type NewFile } from './files.service.js';

/** The longest content type a file row holds (files.content_type is varchar(255)). */
const MAX_CONTENT_TYPE_LENGTH = 255;

/** The answer to any file above MAX_UPLOAD_BYTES: uploads and text files alike. */
export function fileTooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`A file may be at most ${maxBytes} bytes (MAX_UPLOAD_BYTES); nothing was kept.`);
}

/**
 * An upload's form, read from its headers once: multipart (its parts are judged while read), or
 * a raw body whose name and content type the headers already gave.
 */
export type UploadForm = { multipart: true } | { multipart: false; name: string; contentType: string };

/**
 * Upload intake: multipart (every file part) or raw (one file named by Content-Disposition).
 * Contents stream to storage under their files' final keys; FilesService.commit writes their rows
 * afterwards (and removes the contents if it cannot).
 */
@Injectable()
export class FileIntakeService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: FilesService,
  ) {}

  /**
   * The request's form. What a raw upload's headers alone show wrong (size, file name, content
   * type: 413, then 400) is thrown here, before the record is looked up: the form of a request is
   * judged before the records it names (docs/contract.md, "Check order"). A multipart body's
   * problems show only while it is read, after the record check.
   */
  readForm(request: FastifyRequest): UploadForm {
    return request.isMultipart() ? { multipart: true } : { multipart: false, ...this.rawFileHeaders(request) };
  }

  /**
   * Stages every file of the body. `maxFiles` (null: no limit) is how many files may come, for an
   * upload that attaches them all in one event. Nothing is kept when any part fails.
   */
  async receive(owner: FileOwner, request: FastifyRequest, form: UploadForm, maxFiles: number | null): Promise<NewFile[]> {
    const received: NewFile[] = [];
    try {
      if (form.multipart) {
        await this.receiveMultipart(owner, request, received, maxFiles);
      } else {
        const content = await this.files.stage(owner, request.raw, this.config.maxUploadBytes);
        received.push({ name: form.name, contentType: form.contentType, content });
        recordUploadedPart(request, rawPart(content.sha256));
        markUploadBodyRead(request);
      }
    } catch (error) {
      await this.files.discard(received.map((file) => file.content));
      throw this.asApiError(error);
    }
    if (received.length === 0) throw new InvalidRequestError('The request carries no file.');
    return received;
  }

  private async receiveMultipart(owner: FileOwner, request: FastifyRequest, received: NewFile[], maxFiles: number | null): Promise<void> {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      if (maxFiles !== null && received.length >= maxFiles) {
        // Attaching links every file in one event, which holds at most MAX_FILE_IDS files.
        part.file.resume();
        throw new InvalidRequestError(
          `With attach=true at most ${maxFiles} files (MAX_FILE_IDS) may be uploaded at once; nothing was kept.`,
          [{ field: 'attach', message: `attach=true takes at most ${maxFiles} file parts (MAX_FILE_IDS)` }],
        );
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
      const content = await this.files.stage(owner, part.file, this.config.maxUploadBytes);
      received.push({ name, contentType: part.mimetype || DEFAULT_CONTENT_TYPE, content });
      recordUploadedPart(request, { field: part.fieldname, filename: part.filename ?? '', type: part.mimetype, sha256: content.sha256 });
    }
    markUploadBodyRead(request);
  }

  /** A raw upload's name and content type from its headers, or the problem they show: 413, then 400. */
  private rawFileHeaders(request: FastifyRequest): { name: string; contentType: string } {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.config.maxUploadBytes) throw this.tooLarge();
    const header = request.headers['content-disposition'];
    const rawName = this.filenameOf(header);
    if (rawName === null) {
      throw new InvalidRequestError(
        'Send multipart/form-data, or the file as the body with Content-Disposition: attachment; filename="...".',
        [{ field: 'Content-Disposition', message: 'a filename is required' }],
      );
    }
    const name = cleanFileName(rawName);
    if (name === '') {
      throw new InvalidRequestError('The file name is empty once cleaned.', [
        { field: 'Content-Disposition', message: 'the file name is empty' },
      ]);
    }
    const contentType = request.headers['content-type']?.trim() || DEFAULT_CONTENT_TYPE;
    if (contentType.length > MAX_CONTENT_TYPE_LENGTH) {
      throw new InvalidRequestError(`The Content-Type may be at most ${MAX_CONTENT_TYPE_LENGTH} characters.`, [
        { field: 'Content-Type', message: `Content-Type is longer than ${MAX_CONTENT_TYPE_LENGTH} characters` },
      ]);
    }
    return { name, contentType };
  }

  private filenameOf(header: string | undefined): string | null {
    try {
      return filenameFromDisposition(header);
    } catch (error) {
      if (!(error instanceof MalformedDispositionError)) throw error;
      throw new InvalidRequestError('The Content-Disposition header is malformed (RFC 6266): send attachment; filename="...".', [
        { field: 'Content-Disposition', message: 'the header is malformed' },
      ]);
    }
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
    return fileTooLarge(this.config.maxUploadBytes);
  }
}
