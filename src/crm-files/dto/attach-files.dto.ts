import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsInt, IsString, Max, Min, ValidateIf } from 'class-validator';
import { MAX_ID } from '../../common/validation/ids.js';

export class AttachFilesDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_ID },
    minItems: 1,
    description:
      'Ids of files to attach: 1 to MAX_FILE_IDS of them (a setting, default 100; maxItems is the limit of this server), ' +
      'counted as sent; repeats count once.',
    example: [2, 3],
  })
  @IsArray()
  @ArrayMinSize(1)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  fileids: number[];

  @ApiPropertyOptional({ description: "When present, must equal the path's entityType (any letter case).", example: 'contact' })
  @ValidateIf((body: AttachFilesDto) => body.entityType !== undefined)
  @IsString()
  entityType?: string;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', description: "When present, must equal the path's entityid.", example: 1 })
  @ValidateIf((body: AttachFilesDto) => body.entityid !== undefined)
  @IsInt()
  entityid?: number;
}
