import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Auth } from '../auth/auth.decorator.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { Caller } from '../auth/caller.decorator.js';
import { ApiProblemResponses } from '../common/http/api-problem-responses.decorator.js';
import { ParseRecordIdPipe } from '../common/pipes/parse-record-id.pipe.js';
import { ParseRecordTypePipe } from '../common/pipes/parse-record-type.pipe.js';
import { RelationshipEventDto } from '../history/dto/relationship-event.dto.js';
import type { RecordType } from '../records/entities/record-type.js';
import { CrmFilesService } from './crm-files.service.js';
import { AttachFilesDto } from './dto/attach-files.dto.js';

@ApiTags('Files')
@Auth()
@Controller('api/2.0/crm')
export class CrmFilesController {
  constructor(private readonly crmFiles: CrmFilesService) {}

  @Post(':entityType/:entityid/files')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Attach files to a contact, opportunity or case',
    description:
      'Links existing files to the record through one new history event (category -2, "Files are uploaded"). ' +
      'The files must all be readable by the caller; otherwise nothing is written and the 404 lists `missingFileIds`.',
  })
  @ApiParam({ name: 'entityType', enum: ['contact', 'opportunity', 'case'], description: 'Any letter case.' })
  @ApiParam({ name: 'entityid', schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 2147483647 } })
  @ApiBody({ type: AttachFilesDto })
  @ApiOkResponse({ type: RelationshipEventDto, description: 'The new event, its Files in request order.' })
  @ApiProblemResponses(400, 401, 404, 413, 415)
  attach(
    @Caller() caller: AuthenticatedUser,
    @Param('entityType', ParseRecordTypePipe) entityType: RecordType,
    @Param('entityid', ParseRecordIdPipe) entityId: number,
    @Body() body: AttachFilesDto,
  ): Promise<RelationshipEventDto> {
    return this.crmFiles.attach(caller, { type: entityType, id: entityId }, body);
  }
}
