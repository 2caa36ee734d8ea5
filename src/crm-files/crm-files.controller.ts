import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
  getSchemaPath,
  type HeadersObject,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated } from '../auth/authenticated.decorator.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { AuthUser } from '../auth/auth-user.decorator.js';
import { InvalidRequestError } from '../common/errors/api-error.js';
import { ApiProblemResponses } from '../common/http/api-problem-responses.decorator.js';
import { ApiPaging } from '../common/http/api-paging.decorator.js';
import { parsePage } from '../common/http/paging.js';
import { StreamedBody } from '../common/http/streamed-body.decorator.js';
import { ParseRecordIdPipe } from '../common/pipes/parse-record-id.pipe.js';
import { ID_SCHEMA } from '../common/validation/ids.js';
import { FileDto } from '../files/dto/file.dto.js';
import { DOWNLOAD_CONTENT_SECURITY_POLICY, sendFileContent } from '../files/file-download.js';
import { FilesService } from '../files/files.service.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { RelationshipEventDto } from '../history/dto/relationship-event.dto.js';
import { anyLetterCasePattern } from '../openapi/any-letter-case.js';
import { ApiRawBody } from '../openapi/api-raw-body.decorator.js';
import type { RecordRef } from '../records/record-ref.js';
import { RecordTarget } from '../records/record-target.decorator.js';
import { CrmFilesService } from './crm-files.service.js';
import { AttachFilesDto } from './dto/attach-files.dto.js';
import { CreateTextFileDto } from './dto/create-text-file.dto.js';

const ENTITY_TYPE_PARAM = {
  name: 'entityType',
  description: '`contact`, `opportunity` or `case`, in any letter case.',
  schema: { type: 'string', pattern: anyLetterCasePattern(['contact', 'opportunity', 'case']), example: 'contact' },
} as const;
const BINARY = { type: 'string', format: 'binary' } as const;

/** What files/file-download.ts sends with the content (200 and 206). */
const CONTENT_HEADERS: HeadersObject = {
  ETag: { description: 'The SHA-256 of the content, quoted; send it back in If-None-Match or If-Range.', schema: { type: 'string' } },
  'Content-Disposition': {
    description: 'Always `attachment`, with the file name (RFC 6266; non-ASCII names in `filename*`).',
    schema: { type: 'string', example: 'attachment; filename="proposal.pdf"' },
  },
  'Content-Length': { description: 'Bytes in this answer.', schema: { type: 'integer', format: 'int64', minimum: 0 } },
  'Accept-Ranges': { description: 'Single byte ranges are served.', schema: { type: 'string', enum: ['bytes'] } },
  'Content-Security-Policy': {
    description: 'The content is sandboxed: opened in a browser, an uploaded HTML or SVG file runs no script and loads nothing.',
    schema: { type: 'string', enum: [DOWNLOAD_CONTENT_SECURITY_POLICY] },
  },
};

@ApiTags('Files')
@Authenticated()
@Controller('api/2.0/crm')
export class CrmFilesController {
  constructor(
    private readonly crmFiles: CrmFilesService,
    private readonly files: FilesService,
  ) {}

  @Post(':entityType/:entityid/files')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Attach files to a contact, opportunity or case',
    description:
      'Links existing files to the record through one new history event (category -2, "Files are uploaded"). ' +
      'The files must all be readable by the caller; otherwise nothing is written and the 404 lists `missingFileIds`.',
  })
  @ApiParam(ENTITY_TYPE_PARAM)
  @ApiParam({ name: 'entityid', schema: ID_SCHEMA })
  @ApiExtraModels(AttachFilesDto)
  @ApiBody({
    schema: { $ref: getSchemaPath(AttachFilesDto) },
    examples: {
      demo: { summary: "Two of the demo member's files", value: { fileids: [2, 3] } },
      checked: {
        summary: 'With the record named again (checked against the path)',
        value: { fileids: [2, 3], entityType: 'contact', entityid: 1 },
      },
    },
  })
  @ApiOkResponse({ type: RelationshipEventDto, description: 'The new event, its Files in request order.' })
  @ApiProblemResponses(400, 401, 404, 413, 415)
  attach(
    @AuthUser() caller: AuthenticatedUser,
    @RecordTarget() target: RecordRef,
    @Body() body: AttachFilesDto,
  ): Promise<RelationshipEventDto> {
    return this.crmFiles.attach(caller, target, body);
  }

  @Get(':entityType/:entityid/files')
  @ApiOperation({
    summary: 'List the files of a record',
    description: 'The distinct files linked to any event of the record, newest link first, then by file id descending.',
  })
  @ApiParam(ENTITY_TYPE_PARAM)
  @ApiParam({ name: 'entityid', schema: ID_SCHEMA })
  @ApiPaging()
  @ApiOkResponse({ type: [FileDto], headers: { 'X-Total-Count': { description: 'All matching files', schema: { type: 'integer' } } } })
  @ApiProblemResponses(400, 401, 404)
  async list(
    @AuthUser() caller: AuthenticatedUser,
    @RecordTarget() target: RecordRef,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FileDto[]> {
    const { items, total } = await this.crmFiles.listForRecord(caller, target, parsePage(query));
    reply.header('X-Total-Count', String(total));
    return items;
  }

  @Post(':entityType/:entityid/files/upload')
  @HttpCode(200)
  @Idempotent()
  @StreamedBody()
  @ApiOperation({
    summary: 'Upload files into the CRM root folder',
    description:
      'multipart/form-data (every file part is stored, any field name) or the raw file as the body with ' +
      '`Content-Disposition: attachment; filename="..."` and its own Content-Type. With `attach=true` the files are also ' +
      'attached to the record in one event. Answers the last file.',
  })
  @ApiParam(ENTITY_TYPE_PARAM)
  @ApiParam({ name: 'entityid', schema: ID_SCHEMA })
  @ApiQuery({
    name: 'attach',
    required: false,
    schema: { type: 'boolean', default: false },
    description: 'true: also attach the uploaded files (at most MAX_FILE_IDS of them) to the record in one event. Only true or false.',
  })
  // multipart/form-data as an object with one file field, which Swagger UI shows as a file
  // picker; the raw forms (application/octet-stream, or the file's own type: */*) are binary
  // strings, added by @ApiRawBody since @ApiBody gives every media type the same schema.
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description:
      'multipart/form-data: every file part is stored, whatever its field name (`file` is only what the form here uses), ' +
      'and several parts make several files; file names are UTF-8. Raw: the body is the file, in any content type ' +
      "(kept as the file's own; none means application/octet-stream), named by the Content-Disposition header.",
    // No `required`: the part may have any field name; at least one part is needed.
    schema: { type: 'object', minProperties: 1, properties: { file: { ...BINARY, description: 'A file; any field name is accepted.' } } },
  })
  @ApiRawBody('application/octet-stream', '*/*')
  @ApiHeader({
    name: 'Content-Disposition',
    required: false,
    description: 'For a raw body (required there): `attachment; filename="name.ext"`, or `filename*=UTF-8\'\'...` for other names.',
  })
  @ApiOkResponse({ type: FileDto, description: 'The stored file; the last one when the request carried several.' })
  @ApiProblemResponses(400, 401, 404, 413, 415)
  upload(
    @AuthUser() caller: AuthenticatedUser,
    @RecordTarget() target: RecordRef,
    @Query('attach') attach: unknown,
    @Req() request: FastifyRequest,
  ): Promise<FileDto> {
    return this.crmFiles.upload(caller, target, request, parseAttachFlag(attach));
  }

  @Post(':entityType/:entityid/files/text')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'Create a text file and attach it',
    description: 'Stores `content` as .html when it contains an HTML tag, else .txt, and attaches it to the record in one event.',
  })
  @ApiParam(ENTITY_TYPE_PARAM)
  @ApiParam({ name: 'entityid', schema: ID_SCHEMA })
  @ApiExtraModels(CreateTextFileDto)
  @ApiBody({
    schema: { $ref: getSchemaPath(CreateTextFileDto) },
    examples: {
      html: { summary: 'HTML: stored as Call notes.html', value: { title: 'Call notes', content: '<p>Agreed on the price.</p>' } },
      text: { summary: 'Plain text: stored as Call notes.txt', value: { title: 'Call notes', content: 'Agreed on the price.' } },
    },
  })
  @ApiOkResponse({ type: FileDto })
  @ApiProblemResponses(400, 401, 404, 413, 415)
  createText(@AuthUser() caller: AuthenticatedUser, @RecordTarget() target: RecordRef, @Body() body: CreateTextFileDto): Promise<FileDto> {
    return this.crmFiles.createText(caller, target, body);
  }

  @Get('files/root')
  @ApiOperation({ summary: "The id of the tenant's CRM root folder" })
  @ApiOkResponse({ schema: { type: 'integer', format: 'int32', example: 1 } })
  @ApiProblemResponses(401)
  async root(@AuthUser() caller: AuthenticatedUser, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    // A bare JSON integer: serialized here so that Fastify sends it as JSON, not as text.
    reply.type('application/json; charset=utf-8');
    return JSON.stringify(await this.crmFiles.rootFolderId(caller));
  }

  @Get('files/:fileid/content')
  @ApiOperation({
    summary: "Download a file's content",
    description: 'Streams the bytes with ETag (If-None-Match answers 304) and single byte ranges (206).',
  })
  @ApiParam({ name: 'fileid', schema: ID_SCHEMA })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'An ETag seen before: 304 while the content is unchanged.' })
  @ApiHeader({ name: 'Range', required: false, description: 'One byte range, `bytes=start-end`, `bytes=start-` or `bytes=-suffix`: 206.' })
  @ApiHeader({
    name: 'If-Range',
    required: false,
    description: 'The ETag the Range is for; when it no longer matches, the whole file (200).',
  })
  @ApiProduces('*/*')
  @ApiResponse({
    status: 200,
    description: "The content, with the file's own Content-Type",
    headers: CONTENT_HEADERS,
    content: { '*/*': { schema: BINARY } },
  })
  @ApiResponse({
    status: 206,
    description: 'The requested byte range',
    headers: {
      ...CONTENT_HEADERS,
      'Content-Range': {
        description: 'The range sent and the size: `bytes start-end/size`.',
        schema: { type: 'string', example: 'bytes 0-99/1024' },
      },
    },
    content: { '*/*': { schema: BINARY } },
  })
  @ApiResponse({ status: 304, description: 'Not modified (If-None-Match)', headers: { ETag: CONTENT_HEADERS.ETag } })
  @ApiProblemResponses(400, 401, 404, 416)
  async download(
    @AuthUser() caller: AuthenticatedUser,
    @Param('fileid', ParseRecordIdPipe) fileId: number,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const file = await this.crmFiles.findForDownload(caller, fileId);
    return sendFileContent(request, reply, file, (range) => this.files.openContent(file, range));
  }

  @Delete('files/:fileid')
  @ApiOperation({ summary: 'Delete a file', description: 'Deletes the file, its content and its links; the events stay.' })
  @ApiParam({ name: 'fileid', schema: ID_SCHEMA })
  @ApiOkResponse({ type: FileDto, description: 'The file as it was.' })
  @ApiProblemResponses(400, 401, 403, 404)
  delete(@AuthUser() caller: AuthenticatedUser, @Param('fileid', ParseRecordIdPipe) fileId: number): Promise<FileDto> {
    return this.crmFiles.delete(caller, fileId);
  }
}

function parseAttachFlag(value: unknown): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new InvalidRequestError('attach must be true or false.', [{ field: 'attach', message: 'attach must be true or false' }]);
}
