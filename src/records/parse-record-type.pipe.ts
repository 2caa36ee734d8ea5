import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { RECORD_TYPES, type RecordType } from './entities/record-type.js';
import { InvalidRequestError } from '../common/errors/api-error.js';

/** `contact`, `opportunity` or `case`, in any letter case. */
@Injectable()
export class ParseRecordTypePipe implements PipeTransform<string, RecordType> {
  transform(value: string, metadata: ArgumentMetadata): RecordType {
    const type = value.toLowerCase() as RecordType;
    if (!RECORD_TYPES.includes(type)) {
      const name = metadata.data ?? 'entityType';
      throw new InvalidRequestError(`${name} must be one of ${RECORD_TYPES.join(', ')}.`, [
        { field: name, message: `${name} must be one of ${RECORD_TYPES.join(', ')}` },
      ]);
    }
    return type;
  }
}
