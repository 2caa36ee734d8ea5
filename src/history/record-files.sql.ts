/**
 * The two queries of the page of a record's files (HistoryEventsService.linkedFileIds), kept
 * apart so that the benchmark can EXPLAIN the very SQL the service runs. Parameters: the
 * record's type and id (then, for the page, LIMIT and OFFSET). Each link names its event's
 * record (`record_type`, `record_id`); see docs/performance.md for the plans.
 */

/**
 * The number of distinct files linked to a record's events: the index (record, file_id, event_id)
 * alone, read in file order so that repeats are dropped as they stream by. As a derived DISTINCT
 * rather than COUNT(DISTINCT): MariaDB counts the latter through a temporary tree of every id,
 * a quarter slower at 13,000 links (docs/performance.md).
 */
export const RECORD_FILES_TOTAL_SQL = `SELECT COUNT(*) AS total FROM (SELECT DISTINCT l.file_id FROM event_files l WHERE l.record_type = ? AND l.record_id = ?) d`;

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
