import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { InvalidRequestError } from '../errors/api-error.js';
import { isPlainId, MAX_ID } from '../validation/ids.js';

/** An id in a path: 1 to 2147483647 in plain decimal (no sign, no leading zero). */
@Injectable()
export class ParseRecordIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const name = metadata.data ?? 'id';
    if (!isPlainId(value)) {
      throw new InvalidRequestError(`${name} must be an integer from 1 to ${MAX_ID}.`, [
        { field: name, message: `${name} must be an integer from 1 to ${MAX_ID} in plain decimal` },
      ]);
    }
    return Number(value);
  }
}
