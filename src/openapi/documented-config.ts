import { loadAppConfig, type AppConfig } from '../config/app-config.js';

/**
 * The configuration the committed openapi.json describes: the defaults (so the demo hint is
 * in), on an in-memory database so that generating the document touches nothing on disk.
 */
export function documentedConfig(): AppConfig {
  return { ...loadAppConfig({}), database: { kind: 'sqlite', path: ':memory:' } };
}
