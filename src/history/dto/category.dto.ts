import { ApiProperty } from '@nestjs/swagger';

export class CategoryDto {
  @ApiProperty({ type: 'integer', format: 'int32', description: 'Negative for system categories (-2: Files are uploaded).', example: -2 })
  ID: number;

  @ApiProperty({ example: 'Files are uploaded' })
  Title: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  Description: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  Color: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  ImagePath: string | null;

  @ApiProperty({ type: 'integer', format: 'int32', example: 0 })
  SortOrder: number;
}
