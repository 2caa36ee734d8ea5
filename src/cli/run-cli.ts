import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { CliModule } from './cli.module.js';
import { CliUsageError } from './cli-error.js';
import { COMMANDS, USAGE } from './commands.js';

const HELP = new Set(['--help', '-h', 'help']);

export interface CliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * Runs one admin command: its JSON result on stdout, anything else on stderr. Returns the
 * exit code. Kept apart from main.ts so that tests run commands in-process.
 */
export async function runCli(argv: string[], config: AppConfig, output: CliOutput): Promise<number> {
  const [first, second] = argv;
  if (argv.length === 1 && HELP.has(first)) {
    // Like every command, help prints one JSON object on stdout.
    output.stdout(`${JSON.stringify({ usage: USAGE })}\n`);
    return 0;
  }
  const twoWords = `${first} ${second}`;
  // Own properties only: "toString" or "constructor" must not pass for commands.
  const name = Object.hasOwn(COMMANDS, twoWords) ? twoWords : first;
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (name === undefined || !command) {
    output.stderr(`${first === undefined ? 'No command given.' : `Unknown command: ${argv.join(' ')}`}\n${USAGE}\n`);
    return 2;
  }
  const args = argv.slice(name.split(' ').length);
  try {
    const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: false, abortOnError: false });
    try {
      if (name !== 'migrate') {
        // Every command works on a fresh database: pending migrations are applied first.
        await app.get<DataSource>(getDataSourceToken()).runMigrations({ transaction: 'each' });
      }
      const result = await command(app, args);
      output.stdout(`${JSON.stringify(result)}\n`);
      return 0;
    } finally {
      await app.close();
    }
  } catch (error) {
    output.stderr(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof CliUsageError ? 2 : 1;
  }
}
