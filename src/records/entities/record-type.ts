/** The kinds of CRM record that files and history events attach to. */
export type RecordType = 'contact' | 'opportunity' | 'case';

export const RECORD_TYPES: readonly RecordType[] = ['contact', 'opportunity', 'case'];

/** Opportunities and cases are the "entities" of an event; contacts are referenced directly. */
export type EntityRecordType = Exclude<RecordType, 'contact'>;
