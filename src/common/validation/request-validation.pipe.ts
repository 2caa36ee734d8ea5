import { Injectable, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { VALIDATION_OPTIONS } from './validation-options.js';

/**
 * The global validation pipe, for bodies and query DTOs. Path parameters are left to their
 * own pipes: ValidationPipe would turn "01" or "1e3" into a number before they could be judged.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super(VALIDATION_OPTIONS);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param' || metadata.type === 'custom') return value;
    return super.transform(value, metadata);
  }
}
