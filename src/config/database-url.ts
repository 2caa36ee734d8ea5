import { ConfigError } from './config-error.js';

export type DatabaseConfig =
  { kind: 'sqlite'; path: string } | { kind: 'mysql'; host: string; port: number; username: string; password: string; database: string };

/**
 * `sqlite:<path>`, `sqlite::memory:` or `mysql://user:pass@host:port/db`.
 * `variable` names the setting in error messages (DATABASE_URL, TEST_MYSQL_URL).
 */
export function parseDatabaseUrl(url: string, variable: string): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new ConfigError(variable, 'needs a file path after "sqlite:"');
    return { kind: 'sqlite', path };
  }
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(variable, 'is not a valid mysql:// URL');
    }
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (parsed.hostname === '' || database === '' || database.includes('/')) {
      throw new ConfigError(variable, 'must look like mysql://user:pass@host:port/database');
    }
    const port = parsed.port === '' ? 3306 : Number(parsed.port);
    return {
      kind: 'mysql',
      host: parsed.hostname,
      port,
      username: decodeURIComponent(parsed.username) || 'root',
      password: decodeURIComponent(parsed.password),
      database,
    };
  }
  throw new ConfigError(variable, 'must start with "sqlite:" or "mysql://"');
}
