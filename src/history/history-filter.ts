import { InvalidRequestError } from '../common/errors/api-error.js';
import type { FieldError } from '../common/errors/problem.js';
import { integerParam, parsePage, type Page } from '../common/http/paging.js';
import { INT32_MIN, isUuid, MAX_ID } from '../common/validation/ids.js';
import { RECORD_TYPES, type RecordType } from '../records/entities/record-type.js';
import type { RecordRef } from '../records/record-ref.js';

export const HISTORY_SORT_KEYS = ['created', 'createBy', 'category', 'content', 'id'] as const;
export type HistorySortKey = (typeof HISTORY_SORT_KEYS)[number];

export interface HistoryFilter {
  record: RecordRef | null;
  categoryId: number | null;
  createBy: string | null;
  /** Inclusive lower bound, start of the UTC day. */
  from: Date | null;
  /** Exclusive upper bound, start of the UTC day after toDate. */
  until: Date | null;
  sortBy: HistorySortKey;
  descending: boolean;
  page: Page;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LAST_DAY = Date.UTC(9999, 11, 31);

/** The query of GET /history/filter, validated as a whole: every invalid parameter is listed. */
export function parseHistoryFilter(query: Record<string, unknown>): HistoryFilter {
  const errors: FieldError[] = [];
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      errors.push({ field: name, message: `${name} must be given once` });
      return undefined;
    }
    return value;
  };

  let record: RecordRef | null = null;
  const entityType = text('entityType');
  const hasEntityId = query.entityId !== undefined;
  if ((entityType !== undefined) !== hasEntityId) {
    errors.push({ field: entityType === undefined ? 'entityType' : 'entityId', message: 'entityType and entityId go together' });
  } else if (entityType !== undefined) {
    const type = entityType.toLowerCase() as RecordType;
    const id = integerParam(query, 'entityId', 0, 1, MAX_ID, errors);
    if (!RECORD_TYPES.includes(type)) errors.push({ field: 'entityType', message: 'entityType must be contact, opportunity or case' });
    else if (id > 0) record = { type, id };
  }

  const categoryId = query.categoryId === undefined ? null : integerParam(query, 'categoryId', 0, INT32_MIN, MAX_ID, errors);

  const createByText = text('createBy');
  if (createByText !== undefined && !isUuid(createByText)) errors.push({ field: 'createBy', message: 'createBy must be a user id (uuid)' });
  const createBy = createByText !== undefined && isUuid(createByText) ? createByText.toLowerCase() : null;

  const from = day(text('fromDate'), 'fromDate', errors);
  const to = day(text('toDate'), 'toDate', errors);
  if (from && to && from > to) errors.push({ field: 'fromDate', message: 'fromDate must not be after toDate' });

  const sortByText = text('sortBy');
  if (sortByText !== undefined && !HISTORY_SORT_KEYS.includes(sortByText as HistorySortKey)) {
    errors.push({ field: 'sortBy', message: `sortBy must be one of ${HISTORY_SORT_KEYS.join(', ')}` });
  }
  const sortOrder = text('sortOrder');
  if (sortOrder !== undefined && sortOrder !== 'ascending' && sortOrder !== 'descending') {
    errors.push({ field: 'sortOrder', message: 'sortOrder must be ascending or descending' });
  }

  let page: Page = { startIndex: 0, count: 100 };
  try {
    page = parsePage(query);
  } catch (error) {
    if (error instanceof InvalidRequestError) errors.push(...(error.extensions.errors ?? []));
    else throw error;
  }
  if (errors.length > 0) throw new InvalidRequestError('The history filter is not valid; see errors.', errors);

  const sortBy = (sortByText as HistorySortKey | undefined) ?? 'created';
  // Without sortBy the default is newest first; with it, ascending unless told otherwise.
  const descending = sortOrder === undefined ? sortByText === undefined : sortOrder === 'descending';
  return {
    record,
    categoryId,
    createBy,
    from,
    // No bound after 9999-12-31: the next day cannot be compared in SQL, and no event is later.
    until: to && to.getTime() < LAST_DAY ? new Date(to.getTime() + 86_400_000) : null,
    sortBy,
    descending,
    page,
  };
}

function day(value: string | undefined, field: string, errors: FieldError[]): Date | null {
  if (value === undefined) return null;
  const match = DAY.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!match || !date || date.toISOString().slice(0, 10) !== value) {
    errors.push({ field, message: `${field} must be a date written YYYY-MM-DD` });
    return null;
  }
  return date;
}
