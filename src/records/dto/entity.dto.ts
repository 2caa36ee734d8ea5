import { ApiProperty } from '@nestjs/swagger';

/** The opportunity or case an event is on. */
export class EntityDto {
  @ApiProperty({ enum: ['opportunity', 'case'], example: 'opportunity' })
  EntityType: 'opportunity' | 'case';

  @ApiProperty({ type: 'integer', format: 'int32', example: 1 })
  EntityId: number;

  @ApiProperty({ example: 'Enterprise licence renewal' })
  EntityTitle: string;
}
