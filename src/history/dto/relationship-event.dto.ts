import { ApiProperty } from '@nestjs/swagger';
import { FileDto } from '../../files/dto/file.dto.js';
import { ContactDto } from '../../records/dto/contact.dto.js';
import { EntityDto } from '../../records/dto/entity.dto.js';
import { EmployeeDto } from '../../users/dto/employee.dto.js';
import { CategoryDto } from './category.dto.js';

/** A history event on a contact, an opportunity or a case. */
export class RelationshipEventDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 1 })
  ID: number;

  @ApiProperty({ type: EmployeeDto })
  CreateBy: EmployeeDto;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-27T09:12:27.000Z' })
  Created: string;

  @ApiProperty({ example: 'Files are uploaded' })
  Content: string;

  @ApiProperty({ type: CategoryDto })
  Category: CategoryDto;

  @ApiProperty({ type: ContactDto, nullable: true, description: 'The contact, or null when the event is on an opportunity or case.' })
  Contact: ContactDto | null;

  @ApiProperty({ type: EntityDto, nullable: true, description: 'The opportunity or case, or null when the event is on a contact.' })
  Entity: EntityDto | null;

  @ApiProperty({ type: [FileDto] })
  Files: FileDto[];

  @ApiProperty({ description: 'Whether the caller may edit (and delete) this event.' })
  CanEdit: boolean;
}
