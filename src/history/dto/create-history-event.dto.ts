import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsIn, IsInt, IsString, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import { MAX_ID } from '../../common/validation/ids.js';

/** ISO 8601 date-time with seconds optional, fractions optional, and a zone: Z or ±hh:mm. */
export const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

const present = (key: keyof CreateHistoryEventDto) => (body: CreateHistoryEventDto) => body[key] !== undefined;

export class CreateHistoryEventDto {
  @ApiProperty({ minLength: 1, maxLength: 65000, example: 'Called to confirm the order.' })
  @IsString()
  @Length(1, 65000)
  content: string;

  @ApiProperty({ type: 'integer', format: 'int32', description: 'A tenant category, or a system one (-1, -2, -3).', example: 1 })
  @IsInt()
  categoryId: number;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: MAX_ID,
    description: 'The contact; or give entityType and entityId.',
    example: 1,
  })
  @ValidateIf(present('contactId'))
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  contactId?: number;

  @ApiPropertyOptional({
    enum: ['opportunity', 'case', 'Opportunity', 'Case', 'OPPORTUNITY', 'CASE'],
    description: 'With entityId, instead of contactId.',
  })
  @ValidateIf(present('entityType'))
  @IsString()
  @IsIn(['opportunity', 'case', 'Opportunity', 'Case', 'OPPORTUNITY', 'CASE'], { message: 'entityType must be opportunity or case' })
  entityType?: string;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_ID, description: 'With entityType.' })
  @ValidateIf(present('entityId'))
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  entityId?: number;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'ISO 8601 with Z or an offset, from 1000-01-01 to 9999-12-31 (UTC); default now.',
    example: '2026-11-27T09:12:27Z',
  })
  @ValidateIf(present('created'))
  @IsString()
  @Matches(ISO_DATE_TIME, { message: 'created must be an ISO 8601 date-time with Z or an offset' })
  created?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_ID },
    description:
      'Files to link: 0 to MAX_FILE_IDS of them (a setting, default 100; maxItems is the limit of this server), counted as ' +
      'sent, checked as in attaching.',
  })
  @ValidateIf(present('fileId'))
  @IsArray()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  fileId?: number[];
}
