import { ApiProperty } from '@nestjs/swagger';
import { EmployeeDto } from '../../users/dto/employee.dto.js';

export class FileDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 1 })
  ID: number;

  @ApiProperty({ example: 'proposal.pdf' })
  Name: string;

  @ApiProperty({
    description: 'Where the content is downloaded; absolute when PUBLIC_BASE_URL is set.',
    example: '/api/2.0/crm/files/1/content',
  })
  Location: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-27T09:12:27.000Z' })
  Updated: string;

  @ApiProperty({ type: EmployeeDto })
  UpdatedBy: EmployeeDto;

  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-27T09:12:27.000Z' })
  Created: string;

  @ApiProperty({ type: EmployeeDto })
  CreatedBy: EmployeeDto;

  @ApiProperty({ type: 'integer', format: 'int64', description: 'Size in bytes.', example: 1024 })
  ContentLength: number;

  @ApiProperty({ example: 'application/pdf' })
  ContentType: string;

  @ApiProperty({ type: 'integer', format: 'int32', example: 1 })
  FolderId: number;

  @ApiProperty({ type: 'integer', format: 'int32', example: 1 })
  Version: number;
}
