import { ApiProperty } from '@nestjs/swagger';

export class CurrencyDto {
  @ApiProperty({ example: 'US Dollar' })
  Title: string;

  @ApiProperty({ example: '$' })
  Symbol: string;

  @ApiProperty({ example: 'USD' })
  Abbreviation: string;

  @ApiProperty({ example: 'en-US' })
  CultureName: string;

  @ApiProperty()
  IsConvertable: boolean;

  @ApiProperty()
  IsBasic: boolean;
}
