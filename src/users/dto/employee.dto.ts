import { ApiProperty } from '@nestjs/swagger';

export class EmployeeDto {
  @ApiProperty({ format: 'uuid', example: '5f0c2d1e-8a4b-4c8e-9f1a-2b3c4d5e6f70' })
  Id: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  DisplayName: string;

  @ApiProperty({ type: String, nullable: true, example: 'Account manager' })
  Title: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  AvatarSmall: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  ProfileUrl: string | null;
}
