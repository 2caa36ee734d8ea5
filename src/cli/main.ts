import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { loadAppConfig } from '../config/app-config.js';
import { CliModule } from './cli.module.js';
import { CliUsageError } from './cli-error.js';
import { COMMANDS, USAGE } from './commands.js';

/**
 * The admin CLI: one JSON object on stdout per command; everything else goes to stderr, and
 * any failure exits non-zero with its message there.
 */
async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  const twoWords = `${first} ${second}`;
  const name = twoWords in COMMANDS ? twoWords : first;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    process.stderr.write(`${first === undefined ? 'No command given.' : `Unknown command: ${argv.join(' ')}`}\n${USAGE}\n`);
    return 2;
  }
  const args = argv.slice(name.split(' ').length);
  const config = loadAppConfig();
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: false, abortOnError: false });
  try {
    if (name !== 'migrate') {
      // Every command works on a fresh database: pending migrations are applied first.
      await app.get<DataSource>(getDataSourceToken()).runMigrations({ transaction: 'each' });
    }
    const result = await command(app, args);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Error: ${message}\n`);
    if (!(error instanceof CliUsageError) && process.env.CLI_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
