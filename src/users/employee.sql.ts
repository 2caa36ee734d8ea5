import type { EmployeeDto } from './dto/employee.dto.js';

/**
 * The `users` columns an `Employee` shows, for the hot-path queries of other modules that join
 * `users` by table name so that a response needs no query of its own for the users it names (the
 * key lookup, the readable files, a record's access list; docs/ARCHITECTURE.md). Written once
 * here, beside the table's owner, so that those queries name no column of it themselves.
 */
export function employeeColumnsSql(alias: string, prefix: string): string {
  return `${alias}.id AS ${prefix}id, ${alias}.display_name AS ${prefix}display_name, ${alias}.title AS ${prefix}title, ${alias}.avatar_small AS ${prefix}avatar_small, ${alias}.profile_url AS ${prefix}profile_url`;
}

/** The `Employee` of a row read with `employeeColumnsSql(alias, prefix)`, or null when its LEFT JOIN found no user. */
export function employeeFromRow(row: Record<string, unknown>, prefix: string): EmployeeDto | null {
  const id = row[`${prefix}id`];
  if (id === null || id === undefined) return null;
  return {
    Id: String(id),
    DisplayName: String(row[`${prefix}display_name`]),
    Title: nullableText(row[`${prefix}title`]),
    AvatarSmall: nullableText(row[`${prefix}avatar_small`]),
    ProfileUrl: nullableText(row[`${prefix}profile_url`]),
  };
}

function nullableText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
