import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { createApp } from '../app.setup.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { documentedConfig } from './documented-config.js';

/** `npm run openapi`: writes openapi.json at the repository root, as served with default settings. */
const config = documentedConfig();
const app = await createApp(config, { logger: false });
try {
  const document = buildOpenApiDocument(app, config);
  await writeFile('openapi.json', `${JSON.stringify(document, null, 2)}\n`);
  process.stderr.write('Wrote openapi.json\n');
} finally {
  await app.close();
}
