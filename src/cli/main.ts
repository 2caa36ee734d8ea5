import 'reflect-metadata';
import { loadAppConfig } from '../config/app-config.js';
import { runCli } from './run-cli.js';

/** `npm run cli -- <command>`: see run-cli.ts and the README. */
async function main(): Promise<number> {
  let config;
  try {
    config = loadAppConfig();
  } catch (error) {
    process.stderr.write(`Invalid configuration: ${(error as Error).message}\n`);
    return 2;
  }
  return runCli(process.argv.slice(2), config, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
