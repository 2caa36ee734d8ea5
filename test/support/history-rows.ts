import { expect } from 'vitest';
import type { DataSource } from 'typeorm';

export interface EventRow {
  id: number;
  categoryId: number;
  content: string;
  contactId: number | null;
  entityType: string | null;
  entityId: number | null;
  createdBy: string;
}

export interface LinkRow {
  eventId: number;
  fileId: number;
  position: number;
}

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/**
 * The rows a tenant's history holds, read straight from the tables (not through the API), so
 * that tests see what was really written. Plain SQL with `?` runs on SQLite and MySQL alike.
 */
export function historyRows(dataSource: DataSource) {
  const events = async (tenantId: number): Promise<EventRow[]> => {
    const rows: Record<string, unknown>[] = await dataSource.query(
      'SELECT id, category_id, content, contact_id, entity_type, entity_id, created_by FROM history_events WHERE tenant_id = ? ORDER BY id',
      [tenantId],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      categoryId: Number(row.category_id),
      content: String(row.content),
      contactId: num(row.contact_id),
      entityType: (row.entity_type as string | null) ?? null,
      entityId: num(row.entity_id),
      createdBy: String(row.created_by),
    }));
  };

  const links = async (tenantId: number): Promise<LinkRow[]> => {
    const rows: Record<string, unknown>[] = await dataSource.query(
      'SELECT event_id, file_id, position FROM event_files WHERE tenant_id = ? ORDER BY event_id, position',
      [tenantId],
    );
    return rows.map((row) => ({ eventId: Number(row.event_id), fileId: Number(row.file_id), position: Number(row.position) }));
  };

  const counts = async (tenantId: number) => {
    const [[events], [links]]: Record<string, unknown>[][] = await Promise.all([
      dataSource.query('SELECT COUNT(*) AS n FROM history_events WHERE tenant_id = ?', [tenantId]),
      dataSource.query('SELECT COUNT(*) AS n FROM event_files WHERE tenant_id = ?', [tenantId]),
    ]);
    return { events: Number(events.n), links: Number(links.n) };
  };

  /** Runs a request that must fail and checks that it left the tenants' history as it was. */
  const unchangedBy = async <T>(tenantIds: number[], request: () => PromiseLike<T>): Promise<T> => {
    const before = await Promise.all(tenantIds.map(counts));
    const result = await request();
    const after = await Promise.all(tenantIds.map(counts));
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      throw new Error(`A failed request changed the history rows: ${JSON.stringify(before)} became ${JSON.stringify(after)}`);
    }
    return result;
  };

  return { events, links, counts, unchangedBy };
}

/** The one row an upload or text file attached to an opportunity or case leaves in its history. */
export function filesUploadedEventOn(entityType: 'opportunity' | 'case', entityId: number, createdBy: string): EventRow {
  return {
    id: expect.any(Number),
    categoryId: -2,
    content: 'Files are uploaded',
    contactId: null,
    entityType,
    entityId,
    createdBy,
  };
}
