import { ApiProperty } from '@nestjs/swagger';
import { EmployeeDto } from '../../users/dto/employee.dto.js';
import { CurrencyDto } from './currency.dto.js';

export class ContactDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 1 })
  ID: number;

  @ApiProperty({ example: 'Grace Hopper' })
  DisplayName: string;

  @ApiProperty()
  IsCompany: boolean;

  @ApiProperty({ type: String, nullable: true, example: null })
  SmallFotoUrl: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  MediumFotoUrl: string | null;

  @ApiProperty({ type: [EmployeeDto], description: 'Filled only for a private contact (ShareType 0); otherwise empty.' })
  AccessList: EmployeeDto[];

  @ApiProperty({ description: 'ShareType is 0 (None).' })
  IsPrivate: boolean;

  @ApiProperty({ description: 'ShareType is not 0.' })
  IsShared: boolean;

  @ApiProperty({ type: 'integer', enum: [0, 1, 2], description: '0 None (private), 1 ReadWrite, 2 Read.', example: 1 })
  ShareType: number;

  @ApiProperty({ type: CurrencyDto, nullable: true })
  Currency: CurrencyDto | null;

  @ApiProperty({ description: 'Whether the caller may edit this contact.' })
  CanEdit: boolean;

  @ApiProperty({ description: 'Whether the caller may delete this contact.' })
  CanDelete: boolean;
}
