import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class CreateTextFileDto {
  @ApiProperty({
    description: 'The file name; .html or .txt is appended unless it already ends with it. Cleaned like an upload name.',
    example: 'Call notes',
    minLength: 1,
    maxLength: 1024,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  title: string;

  @ApiProperty({
    description: 'The text. Content with an HTML tag (such as <p>) makes an .html file.',
    example: '<p>Agreed on the price.</p>',
  })
  @IsString()
  content: string;
}
