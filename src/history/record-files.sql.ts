/**
 * The two queries of the page of a record's files (HistoryEventsService.linkedFileIds), kept
 * apart so that the benchmark can EXPLAIN the very SQL the service runs. Parameters: the
 * record's type and id (then, for the page, LIMIT and OFFSET). Each link names its event's
 * record (`record_type`, `record_id`); see docs/performance.md for the plans.
 */

/**
 * The number of distinct files linked to a record's events, from the index (record, file_id,
 * event_id) alone, in file order so that repeats are dropped as they stream by; one form per
 * dialect, each the faster there (docs/performance.md). MariaDB counts COUNT(DISTINCT) through a
 * temporary tree of every id, and at full volume it picked the event-ordered index for the derived
 * DISTINCT too (a temporary table): hence the derived form and the named index. SQLite takes the
 * file-ordered index for COUNT(DISTINCT) by itself and counts it fastest.
 */
export const RECORD_FILES_TOTAL_SQL: Record<'mysql' | 'sqlite', string> = {
  mysql: `SELECT COUNT(*) AS total FROM (SELECT DISTINCT l.file_id FROM event_files l FORCE INDEX (IDX_event_files_record_file)
    WHERE l.record_type = ? AND l.record_id = ?) d`,
  sqlite: `SELECT COUNT(DISTINCT l.file_id) AS total FROM event_files l WHERE l.record_type = ? AND l.record_id = ?`,
};

/**
 * The newest link of each file of a record, newest first: the index (record, event_id, file_id)
 * read backwards, each link kept unless the index (record, file_id, event_id) holds a newer one.
 */
export const RECORD_FILES_PAGE_SQL = `SELECT l.file_id FROM event_files l
  WHERE l.record_type = ? AND l.record_id = ?
    AND NOT EXISTS (SELECT 1 FROM event_files n
      WHERE n.record_type = l.record_type AND n.record_id = l.record_id AND n.file_id = l.file_id AND n.event_id > l.event_id)
  ORDER BY l.event_id DESC, l.file_id DESC
  LIMIT ? OFFSET ?`;
