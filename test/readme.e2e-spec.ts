import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The README's examples, run the way a newcomer runs them: the service built and started with
 * `node dist/src/main.js` (what `npm start` runs) in an empty directory, so that the embedded
 * SQLite database and the demo data are created there, and every shell block marked
 * `<!-- readme-test -->` run with bash in that directory, in README order. What the block prints
 * (stdout and stderr) must match the `text` block that follows it in the README.
 *
 * Comparing: timestamps, uuids and API keys are masked on both sides, whitespace around JSON
 * punctuation is ignored (the README may spread a JSON answer over several lines), and `…` in the
 * README stands for any text.
 */
const REPO = fileURLToPath(new URL('..', import.meta.url));
const README = join(REPO, 'README.md');
const MARKER = '<!-- readme-test -->';
const API_KEY = /[0-9A-F]{8}(?:-[0-9A-F]{8}){7}/g;
/** What the README's examples address; replaced by the test server's address. */
const README_BASE = 'http://localhost:3000';
/** How the README calls the CLI; replaced by the built CLI run in the same directory. */
const README_CLI = 'npm run cli --';

interface Example {
  /** 1-based line of the marker in README.md, for the test name and failure message. */
  line: number;
  script: string;
  expected: string;
}

function readmeExamples(markdown: string): Example[] {
  const examples: Example[] = [];
  const block = /<!-- readme-test -->[ \t]*\n```sh\n([\s\S]*?)\n```[ \t]*\n\s*```text\n([\s\S]*?)\n```/g;
  for (const match of markdown.matchAll(block)) {
    examples.push({ line: markdown.slice(0, match.index).split('\n').length, script: match[1], expected: match[2] });
  }
  return examples;
}

const MASKS: ReadonlyArray<[RegExp, string]> = [
  [/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, '<time>'],
  [/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>'],
  [API_KEY, '<key>'],
];

function normalize(text: string): string {
  let result = text;
  for (const [pattern, replacement] of MASKS) result = result.replace(pattern, replacement);
  return result
    .replace(/\s*([{}[\],:…])\s*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The README's expected text as a pattern over normalized output: `…` matches anything. */
function expectedPattern(expected: string): RegExp {
  const parts = normalize(expected)
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[\\s\\S]*?')}$`);
}

/** Only what a shell needs: the service's own settings must come from the README, not from here. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return { ...env, ...extra };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

describe('README examples, against a fresh `npm start` with the demo data', () => {
  let workDir: string;
  let server: ChildProcess | undefined;
  let serverLog = '';
  let base: string;
  let keys: string[] = [];

  beforeAll(async () => {
    // What `npm start` does first: compile when a source is newer than the last build.
    const build = await run(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: REPO, env: cleanEnv({}) });
    expect(build.code, `build failed:\n${build.stdout}${build.stderr}`).toBe(0);

    workDir = await mkdtemp(join(tmpdir(), 'crm-files-readme-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [join(REPO, 'dist/src/main.js')], {
      cwd: workDir,
      env: cleanEnv({ PORT: String(port), HOST: '127.0.0.1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.setEncoding('utf8').on('data', (chunk: string) => (serverLog += chunk));
    server.stderr!.setEncoding('utf8').on('data', (chunk: string) => (serverLog += chunk));

    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}):\n${serverLog}`);
      const ready = await fetch(`${base}/health/ready`).then(
        (answer) => answer.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`the server did not answer within 60 s:\n${serverLog}`);
      await new Promise((done) => setTimeout(done, 200));
    }
    // The demo data set is logged tenant by tenant, admin, member, outsider: the README's
    // KEY and MEMBER_KEY are the first two keys, as a reader copies them from the log.
    keys = serverLog.match(API_KEY) ?? [];
    expect(keys.length, `no demo API keys in the start-up log:\n${serverLog}`).toBeGreaterThanOrEqual(6);
  }, 300_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('the README marks its examples, each followed by its expected output', async () => {
    const markdown = await readFile(README, 'utf8');
    const markers = markdown.split(MARKER).length - 1;
    expect(markers).toBeGreaterThan(0);
    expect(readmeExamples(markdown)).toHaveLength(markers);
  });

  it('the comparison masks what changes between runs and still tells a wrong id apart', () => {
    const expected = '{"ID":12,"Created":"2026-12-01T15:31:38.657Z",…,"Name":"a b.txt"}';
    expect(normalize('{"ID":12, "Created":"2027-01-02T03:04:05.006Z", "X":1,\n "Name":"a b.txt"}')).toMatch(expectedPattern(expected));
    expect(normalize('{"ID":13,"Created":"2027-01-02T03:04:05.006Z","Name":"a b.txt"}')).not.toMatch(expectedPattern(expected));
    expect(normalize('{"ID":12,"Created":"2027-01-02T03:04:05.006Z","Name":"a  b.txt","More":1}')).not.toMatch(expectedPattern(expected));
  });

  describe('each marked example prints what the README shows', async () => {
    const examples = readmeExamples(await readFile(README, 'utf8'));
    for (const example of examples) {
      const title = example.script.split('\n').find((line) => line.trim() !== '') ?? '';
      it(`README.md:${example.line}: ${title.slice(0, 80)}`, async () => {
        const script = example.script.replaceAll(README_BASE, base).replaceAll(README_CLI, `node '${join(REPO, 'dist/src/cli/main.js')}'`);
        const result = await run('bash', ['-c', `exec 2>&1\n${script}`], {
          cwd: workDir,
          env: cleanEnv({ KEY: keys[0], MEMBER_KEY: keys[1] }),
        });
        expect(result.code, result.stdout).toBe(0);
        expect(normalize(result.stdout), `README.md:${example.line} printed:\n${result.stdout}`).toMatch(expectedPattern(example.expected));
        // Each CLI command boots the application: generous on a busy machine.
      }, 240_000);
    }
  });

  it("`npm run cli -- migrate` prints exactly one JSON object on stdout, npm's own lines on stderr", async () => {
    const result = await run('npm', ['run', 'cli', '--', 'migrate'], {
      cwd: REPO,
      env: cleanEnv({ DATABASE_URL: `sqlite:${join(workDir, 'npm-cli.sqlite')}`, FILES_DIR: join(workDir, 'npm-cli-files') }),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    const printed = JSON.parse(result.stdout) as { migrated: unknown };
    expect(Object.keys(printed)).toEqual(['migrated']);
    expect(Array.isArray(printed.migrated) && printed.migrated.length > 0).toBe(true);
    expect(result.stderr).toContain('> crm-files@');
  }, 120_000);
});
