/**
 * `npm run bench`: the service against a raw baseline on the same data (issue 10).
 *
 *   npm run bench                         full volume, 3 interleaved rounds, writes bench/RESULTS.md
 *   npm run bench -- --quick              small volume, one short round; exit 1 on a statement-count
 *                                         regression against bench/statement-budget.json
 *   options: --scale=0.1 (volume), --rounds=N, --seconds=S (per server per round), --no-sqlite,
 *            --only=attach-3x1,files-100 (scenario keys), --write-budget, --results=PATH,
 *            --cpu-prof=DIR (the service writes a V8 CPU profile there when it stops),
 *            --baseline-without-webhook-events (the baseline's attach skips the webhook event the
 *            contract writes with every change: the attach as issue 10 measured it, before webhooks)
 *
 * BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306) names the server; the benchmark creates
 * a database of its own there and drops it afterwards, also on failure and Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import {
  cleanUp,
  createMysqlDatabase,
  interrupted,
  migrate,
  mysqlUrl,
  mysqlWriter,
  onCleanup,
  parseServerUrl,
  sqliteDatabase,
  sqliteWriter,
} from './lib/database.js';
import { RECORD_FILES_PAGE_SQL, RECORD_FILES_TOTAL_SQL } from '../src/history/record-files.sql.js';
import { fill, FULL_VOLUME, QUICK_VOLUME, type Scene, type Volume } from './lib/fill.js';
import { median, percentile, runLoad, send, type BenchRequest, type BenchResponse } from './lib/load.js';
import { hasTaskset, pinSelf, startServer, type ServerHandle } from './lib/servers.js';
import type { ProbeReport } from './lib/server-probe.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const SERVICE_MAIN = here('../src/main.js');
const BASELINE_MAIN = here('./baseline/server.js');
/** The committed budget lives beside the sources, not in dist/. */
const BENCH_DIR = join(here('../..'), 'bench');
const BUDGET_FILE = join(BENCH_DIR, 'statement-budget.json');

// ---- Options.

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) =>
  argv
    .find((arg) => arg.startsWith(`--${name}=`))
    ?.split('=')
    .slice(1)
    .join('=');
const quick = flag('quick');
const scale = Number(option('scale') ?? 1);
const rounds = Number(option('rounds') ?? (quick ? 1 : 3));
const seconds = Number(option('seconds') ?? (quick ? 1 : 4));
const warmUpMs = quick ? 300 : 1000;
const withSqlite = !flag('no-sqlite');
const only = option('only')?.split(',');
const cpuProfileDir = option('cpu-prof');
const baselineWritesWebhookEvents = !flag('baseline-without-webhook-events');
const serviceNodeArgs = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
const resultsFile = option('results') ?? (quick ? null : join(BENCH_DIR, 'RESULTS.md'));
const serverUrl = parseServerUrl(process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');

function volumeFor(): Volume {
  const base = quick ? QUICK_VOLUME : FULL_VOLUME;
  if (scale === 1) return base;
  const scaled = (n: number) => Math.max(10, Math.round(n * scale));
  return {
    ...base,
    contacts: scaled(base.contacts),
    opportunities: scaled(base.opportunities),
    cases: scaled(base.cases),
    files: Math.max(1_000, scaled(base.files)),
    events: Math.max(base.bigContactEvents + base.smallContactEvents + 100, scaled(base.events)),
  };
}

// ---- Scenarios.

type Kind = 'attach' | 'files' | 'history' | 'download';

interface Scenario {
  key: string;
  title: string;
  kind: Kind;
  connections: number;
  request: (n: number) => BenchRequest;
}

function scenarios(scene: Scene): Scenario[] {
  const headers = { authorization: scene.users.member.apiKey };
  const files = scene.memberFiles;
  const attach = (count: number, connections: number): Scenario => ({
    key: `attach-${count}x${connections}`,
    title: `attach ${count} file${count > 1 ? 's' : ''}, ${connections} conn`,
    kind: 'attach',
    connections,
    request: (n) => {
      const start = (n * count) % files.length;
      const fileids = Array.from({ length: count }, (_, i) => files[(start + i) % files.length]);
      return { method: 'POST', path: `/api/2.0/crm/contact/${scene.contacts.attach}/files`, headers, body: JSON.stringify({ fileids }) };
    },
  });
  const get = (path: string) => () => ({ method: 'GET' as const, path, headers });
  return [
    attach(1, 8),
    attach(10, 8),
    attach(100, 8),
    attach(3, 1),
    attach(3, 32),
    {
      key: 'files-100',
      title: 'files page, 100 events',
      kind: 'files',
      connections: 8,
      request: get(`/api/2.0/crm/contact/${scene.contacts.small}/files`),
    },
    {
      key: 'files-10000',
      title: `files page, ${scene.volume.bigContactEvents} events`,
      kind: 'files',
      connections: 8,
      request: get(`/api/2.0/crm/contact/${scene.contacts.big}/files`),
    },
    {
      key: 'history-25',
      title: 'history page (25 of 10,000)',
      kind: 'history',
      connections: 8,
      request: get(`/api/2.0/crm/history/filter?entityType=contact&entityId=${scene.contacts.big}&count=25`),
    },
    {
      key: 'download-100k',
      title: 'download 100 KiB',
      kind: 'download',
      connections: 8,
      request: get(`/api/2.0/crm/files/${scene.download.fileId}/content`),
    },
  ].filter((scenario): scenario is Scenario => !only || only.includes(scenario.key));
}

/** Extra statement-only probes: the same pages at other sizes, for the "fixed number of statements" target. */
function statementProbes(scene: Scene): Scenario[] {
  const headers = { authorization: scene.users.member.apiKey };
  const get = (path: string) => () => ({ method: 'GET' as const, path, headers });
  return [
    {
      key: 'files-100-count10',
      title: '',
      kind: 'files',
      connections: 1,
      request: get(`/api/2.0/crm/contact/${scene.contacts.small}/files?count=10`),
    },
    {
      key: 'history-100',
      title: '',
      kind: 'history',
      connections: 1,
      request: get(`/api/2.0/crm/history/filter?entityType=contact&entityId=${scene.contacts.small}&count=100`),
    },
  ];
}

/**
 * Requests answered once by both servers and compared, beyond the scenarios: the other access
 * paths (a private contact with its access list, an admin on an opportunity, an outsider, a bad key).
 */
function equalityProbes(scene: Scene): Array<{ key: string; kind: Kind; request: BenchRequest }> {
  const as = (user: keyof Scene['users']) => ({ authorization: scene.users[user].apiKey });
  const [a, b, c] = scene.memberFiles;
  const attach = (path: string, user: keyof Scene['users'], fileids: number[]) => ({
    method: 'POST' as const,
    path,
    headers: as(user),
    body: JSON.stringify({ fileids }),
  });
  const get = (path: string, user: keyof Scene['users']) => ({ method: 'GET' as const, path, headers: as(user) });
  const privateContact = `/api/2.0/crm/contact/${scene.contacts.private}/files`;
  const opportunity = `/api/2.0/crm/opportunity/${scene.opportunity}/files`;
  return [
    { key: 'attach to a private contact, member on its list', kind: 'attach', request: attach(privateContact, 'member', [a, b]) },
    { key: 'attach to an opportunity as admin', kind: 'attach', request: attach(opportunity, 'admin', [c, a]) },
    { key: 'attach to a private contact as outsider (404)', kind: 'attach', request: attach(privateContact, 'outsider', [a]) },
    {
      key: 'attach a file of another tenant (404, missingFileIds)',
      kind: 'attach',
      request: attach(`/api/2.0/crm/contact/${scene.contacts.attach}/files`, 'member', [a, scene.volume.files]),
    },
    {
      key: 'attach with an unknown key (401)',
      kind: 'attach',
      request: { ...attach(opportunity, 'member', [a]), headers: { authorization: 'ABCDEF01-'.repeat(8).slice(0, -1) } },
    },
    { key: 'files of a private contact as member', kind: 'files', request: get(privateContact, 'member') },
    { key: 'files of an opportunity as admin, second page', kind: 'files', request: get(`${opportunity}?startIndex=1&count=2`, 'admin') },
    {
      key: 'history of an opportunity as outsider',
      kind: 'history',
      request: get(`/api/2.0/crm/history/filter?entityType=opportunity&entityId=${scene.opportunity}`, 'outsider'),
    },
    {
      key: 'history of a private contact as member',
      kind: 'history',
      request: get(`/api/2.0/crm/history/filter?entityType=contact&entityId=${scene.contacts.private}`, 'member'),
    },
    { key: 'download as outsider', kind: 'download', request: get(`/api/2.0/crm/files/${scene.download.fileId}/content`, 'outsider') },
  ];
}

// ---- Comparing answers.

function comparable(kind: Kind, res: BenchResponse): unknown {
  if (kind === 'download' && res.status === 200) {
    return {
      status: res.status,
      sha256: createHash('sha256').update(res.body).digest('hex'),
      contentType: res.headers['content-type'],
      contentLength: res.headers['content-length'],
      etag: res.headers.etag,
      disposition: res.headers['content-disposition'],
    };
  }
  const body = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  if (kind === 'attach' && res.status === 200) {
    // The new event's id and time differ by nature.
    delete body.ID;
    delete body.Created;
  }
  return { status: res.status, total: res.headers['x-total-count'] ?? null, body };
}

/**
 * The newest webhook event, as the servers must write it alike: its id and time differ by nature,
 * and the event it carries must be the one the attach answered (its id and time left out then).
 */
async function lastWebhookEvent(admin: mysql.Connection, kind: Kind, answer: BenchResponse): Promise<unknown> {
  if (kind !== 'attach' || answer.status !== 200) return null;
  const [rows] = (await admin.query(
    'SELECT type, tenant_id, ordering_key, payload FROM webhook_events ORDER BY id DESC LIMIT 1',
  )) as unknown as [Array<{ type: string; tenant_id: number; ordering_key: string; payload: string }>];
  if (rows.length === 0) return 'no webhook event';
  const [row] = rows;
  const payload = JSON.parse(row.payload) as { id?: string; timestamp?: string; data: { Event: Record<string, unknown> } };
  const answered = JSON.parse(answer.body.toString('utf8')) as { ID: number; Created: string };
  const event = payload.data.Event;
  const namesTheAnsweredEvent = event.ID === answered.ID && event.Created === answered.Created;
  delete payload.id;
  delete payload.timestamp;
  delete event.ID;
  delete event.Created;
  return { type: row.type, tenantId: row.tenant_id, orderingKey: row.ordering_key, payload, namesTheAnsweredEvent };
}

function firstDifference(a: unknown, b: unknown, path = '$'): string {
  if (isDeepStrictEqual(a, b)) return '';
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      if (found) return found;
    }
  }
  return `${path}: service ${JSON.stringify(a)?.slice(0, 200)} vs baseline ${JSON.stringify(b)?.slice(0, 200)}`;
}

// ---- Measuring.

interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  peakRssMiB: number;
  requests: number;
  errors: number;
  firstError: string | null;
}

async function measure(server: ServerHandle, scenario: Scenario, durationMs: number): Promise<Measurement> {
  const before = await server.resetPeak();
  const result = await runLoad(server.port, scenario.connections, durationMs, scenario.request);
  const after = await server.probe();
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return {
    rps: (result.requests / result.elapsedMs) * 1000,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpuMsPerRequest: (after.cpuMicros - before.cpuMicros) / 1000 / Math.max(1, result.requests),
    peakRssMiB: after.peakRss / 1048576,
    requests: result.requests,
    errors: result.errors,
    firstError: result.firstError,
  };
}

/** Statements and round trips per request, from a few requests one after the other. */
async function countStatements(
  server: ServerHandle,
  scenario: Scenario,
  requests = quick ? 3 : 6,
): Promise<{ statements: number; roundTrips: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  await send(agent, server.port, scenario.request(10_000));
  const before: ProbeReport = await server.probe();
  for (let i = 0; i < requests; i++) await send(agent, server.port, scenario.request(10_001 + i));
  const after = await server.probe();
  agent.destroy();
  return { statements: (after.statements - before.statements) / requests, roundTrips: (after.roundTrips - before.roundTrips) / requests };
}

interface Row {
  database: 'mysql' | 'sqlite';
  scenario: Scenario;
  server: 'service' | 'baseline';
  rounds: Measurement[];
  statements: number;
  roundTrips: number;
  ratio?: number;
  p99Ratio?: number;
}

const summary = (row: Row) => ({
  rps: median(row.rounds.map((m) => m.rps)),
  p50: median(row.rounds.map((m) => m.p50)),
  p99: median(row.rounds.map((m) => m.p99)),
  cpu: median(row.rounds.map((m) => m.cpuMsPerRequest)),
  rss: Math.max(...row.rounds.map((m) => m.peakRssMiB)),
  errors: row.rounds.reduce((sum, m) => sum + m.errors, 0),
  firstError: row.rounds.find((m) => m.firstError)?.firstError ?? null,
});

// ---- Output.

const fmt = (value: number | undefined, digits = 1) => (value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits));

function table(rows: Row[]): string {
  const lines = [
    '| db | scenario | server | req/s | p50 ms | p99 ms | ratio | p99 × | statements/req | round trips/req | CPU ms/req | peak RSS MiB | errors |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const s = summary(row);
    lines.push(
      `| ${row.database} | ${row.scenario.title} | ${row.server} | ${fmt(s.rps, 0)} | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ${fmt(row.ratio, 2)} | ${fmt(row.p99Ratio, 2)} | ${fmt(row.statements, 1)} | ${fmt(row.roundTrips, 1)} | ${fmt(s.cpu, 2)} | ${fmt(s.rss, 0)} | ${s.errors} |`,
    );
  }
  return lines.join('\n');
}

interface Target {
  name: string;
  pass: boolean;
  detail: string;
}

function targets(rows: Row[], extra: Map<string, number>): Target[] {
  const find = (key: string, server: 'service' | 'baseline' = 'service') =>
    rows.find((r) => r.database === 'mysql' && r.scenario.key === key && r.server === server);
  const out: Target[] = [];
  for (const key of ['attach-1x8', 'attach-10x8', 'attach-100x8']) {
    const row = find(key);
    if (row?.ratio === undefined) continue;
    out.push({
      name: `${row.scenario.title}: throughput ≥ 0.70 × baseline, p99 ≤ 1.5 ×`,
      pass: row.ratio >= 0.7 && (row.p99Ratio ?? Infinity) <= 1.5,
      detail: `ratio ${fmt(row.ratio, 2)}, p99 × ${fmt(row.p99Ratio, 2)}`,
    });
  }
  const single = find('attach-3x1');
  if (single?.ratio !== undefined) {
    out.push({
      name: `${single.scenario.title}: throughput ≥ 0.60 × baseline, p99 ≤ 2 ×`,
      pass: single.ratio >= 0.6 && (single.p99Ratio ?? Infinity) <= 2,
      detail: `ratio ${fmt(single.ratio, 2)}, p99 × ${fmt(single.p99Ratio, 2)}`,
    });
  }
  const attachCounts = ['attach-1x8', 'attach-10x8', 'attach-100x8'].map((key) => find(key)).filter((row): row is Row => row !== undefined);
  if (attachCounts.length > 0) {
    const counts = attachCounts.map((row) => row.statements);
    out.push({
      name: 'at most 8 statements per attach, the same for 1, 10 and 100 files',
      pass: counts.every((count) => count <= 8) && counts.every((count) => count === counts[0]),
      detail: counts.map((count, i) => `${attachCounts[i].scenario.key}: ${fmt(count, 1)}`).join(', '),
    });
  }
  const small = find('files-100');
  const big = find('files-10000');
  if (small && big) {
    const ratio = summary(small).rps / summary(big).rps;
    out.push({
      name: `files page at ${big.scenario.title.replace(/\D+/g, '')} events within 2 × of the page at 100 events`,
      pass: ratio <= 2,
      detail: `${fmt(summary(small).rps, 0)} vs ${fmt(summary(big).rps, 0)} req/s (${fmt(ratio, 2)} ×); p50 ${fmt(summary(small).p50, 1)} vs ${fmt(summary(big).p50, 1)} ms`,
    });
    const counts = [small.statements, big.statements, extra.get('files-100-count10')].filter((n): n is number => n !== undefined);
    out.push({
      name: 'files pages in a fixed number of statements (100 and 10,000 events; page of 100 and of 10)',
      pass: counts.every((count) => count === counts[0]),
      detail: counts.map((count) => fmt(count, 1)).join(', '),
    });
  }
  const history = find('history-25');
  if (history) {
    const counts = [history.statements, extra.get('history-100')].filter((n): n is number => n !== undefined);
    out.push({
      name: 'history pages in a fixed number of statements (25 of 10,000 events; 100 of 100)',
      pass: counts.every((count) => count === counts[0]),
      detail: counts.map((count) => fmt(count, 1)).join(', '),
    });
  }
  return out;
}

/**
 * Per database, the statements per request of each scenario; under "mysql round trips", the
 * queries per request sent to MySQL/MariaDB (several statements may share one).
 */
type Budget = Record<string, Record<string, number>>;

const ROUND_TRIPS = 'mysql round trips';

function measuredBudget(rows: Row[], extra: Map<string, Map<string, number>>): Budget {
  const budget: Budget = {};
  for (const row of rows.filter((r) => r.server === 'service')) {
    (budget[row.database] ??= {})[row.scenario.key] = Math.round(row.statements * 10) / 10;
    if (row.database === 'mysql') (budget[ROUND_TRIPS] ??= {})[row.scenario.key] = Math.round(row.roundTrips * 10) / 10;
  }
  for (const [database, probes] of extra) for (const [key, value] of probes) (budget[database] ??= {})[key] = Math.round(value * 10) / 10;
  return budget;
}

function checkBudget(measured: Budget): string[] {
  let budget: Budget;
  try {
    budget = JSON.parse(readFileSync(BUDGET_FILE, 'utf8')) as Budget;
  } catch {
    return [`cannot read ${BUDGET_FILE}`];
  }
  const failures: string[] = [];
  for (const [database, counts] of Object.entries(measured)) {
    for (const [key, value] of Object.entries(counts)) {
      const allowed = budget[database]?.[key];
      if (allowed === undefined) continue;
      const what = database === ROUND_TRIPS ? 'round trips' : 'statements';
      if (value > allowed + 0.05) failures.push(`${database} ${key}: ${value} ${what} per request, budget ${allowed}`);
    }
  }
  return failures;
}

// ---- The run.

function sh(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const volume = volumeFor();
  const log = (line: string) => console.error(line);
  const cpus = os.cpus().length;
  const pinned = cpus >= 2 && hasTaskset();
  const serverCores = pinned ? String(cpus - 1) : null;
  if (pinned) pinSelf(cpus > 2 ? `0-${cpus - 2}` : '0');
  log(
    `crm-files bench (${quick ? 'quick' : 'full'}; ${rounds} round(s) of ${seconds} s per server; load ${loadBefore.map((n) => n.toFixed(2)).join(' ')})`,
  );
  if (pinned) log(`  servers pinned to core ${serverCores}, load generator to the others`);

  const filesDir = mkdtempSync(join(os.tmpdir(), 'crm-files-bench-'));
  onCleanup(() => rmSync(filesDir, { recursive: true, force: true }));

  // MySQL/MariaDB: a fresh database, the service's migrations, the data.
  const database = await createMysqlDatabase(serverUrl);
  log(`database ${database.name}: migrating and filling`);
  const fillStarted = Date.now();
  await migrate(database.config);
  const writer = await mysqlWriter(database.config as Extract<typeof database.config, { kind: 'mysql' }>);
  const scene = await fill(writer, volume, filesDir, log);
  await writer.close();
  const fillSeconds = (Date.now() - fillStarted) / 1000;
  log(`  filled in ${fillSeconds.toFixed(1)} s`);
  const admin = await mysql.createConnection({
    host: serverUrl.host,
    port: serverUrl.port,
    user: serverUrl.user,
    password: serverUrl.password,
    database: database.name,
  });
  const [[{ version }]] = (await admin.query('SELECT VERSION() AS version')) as unknown as [[{ version: string }]];
  await admin.query('ANALYZE TABLE history_events, event_files, files, contacts, access_list_entries');
  // The service's own two queries of the files page (history/history-events.service.ts).
  const [pagePlan] = await admin.query(`EXPLAIN ${RECORD_FILES_PAGE_SQL}`, ['contact', scene.contacts.big, 100, 0]);
  const [totalPlan] = await admin.query(`EXPLAIN ${RECORD_FILES_TOTAL_SQL.mysql}`, ['contact', scene.contacts.big]);
  const plan = [...(pagePlan as object[]), ...(totalPlan as object[])];
  onCleanup(() => admin.end());

  const url = mysqlUrl(serverUrl, database.name);
  const serviceEnv = { DATABASE_URL: url, FILES_DIR: filesDir, RATE_LIMIT_PER_MINUTE: '0', DEMO_SEED: 'false', MAX_FILE_IDS: '100' };
  const servers: ServerHandle[] = [];
  onCleanup(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });
  const service = await startServer({
    name: 'service',
    script: SERVICE_MAIN,
    env: serviceEnv,
    cores: serverCores,
    nodeArgs: serviceNodeArgs,
  });
  servers.push(service);
  const baseline = await startServer({
    name: 'baseline',
    script: BASELINE_MAIN,
    env: { BASELINE_DATABASE_URL: url, FILES_DIR: filesDir, BASELINE_WEBHOOK_EVENTS: String(baselineWritesWebhookEvents) },
    cores: serverCores,
  });
  servers.push(baseline);

  const agentForProbes = new Agent({ keepAlive: true, maxSockets: 1 });
  const mismatches: string[] = [];
  for (const probe of equalityProbes(scene)) {
    const fromService = await send(agentForProbes, service.port, probe.request);
    const serviceEvent = await lastWebhookEvent(admin, probe.kind, fromService);
    const fromBaseline = await send(agentForProbes, baseline.port, probe.request);
    const baselineEvent = await lastWebhookEvent(admin, probe.kind, fromBaseline);
    const difference =
      firstDifference(comparable(probe.kind, fromService), comparable(probe.kind, fromBaseline)) ||
      (baselineWritesWebhookEvents ? firstDifference(serviceEvent, baselineEvent, '$webhookEvent') : '');
    if (difference) mismatches.push(`${probe.key}: ${difference}`);
  }
  agentForProbes.destroy();

  const list = scenarios(scene);
  const rows: Row[] = [];
  const extra = new Map<string, Map<string, number>>();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  for (const scenario of list) {
    // Same request to both: the answers must be equal.
    const request = scenario.request(0);
    const [fromService, fromBaseline] = [await send(agent, service.port, request), await send(agent, baseline.port, request)];
    const difference = firstDifference(comparable(scenario.kind, fromService), comparable(scenario.kind, fromBaseline));
    if (difference) mismatches.push(`${scenario.key}: ${difference}`);

    const serviceRow: Row = { database: 'mysql', scenario, server: 'service', rounds: [], ...(await countStatements(service, scenario)) };
    const baselineRow: Row = {
      database: 'mysql',
      scenario,
      server: 'baseline',
      rounds: [],
      ...(await countStatements(baseline, scenario)),
    };
    const durationMs = seconds * 1000;
    // Warm both up, then alternate which goes first in each round.
    await runLoad(service.port, scenario.connections, warmUpMs, scenario.request);
    await runLoad(baseline.port, scenario.connections, warmUpMs, scenario.request);
    const ratios: number[] = [];
    const p99Ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [serviceRow, baselineRow] : [baselineRow, serviceRow];
      for (const row of order) row.rounds.push(await measure(row.server === 'service' ? service : baseline, scenario, durationMs));
      ratios.push(serviceRow.rounds[round].rps / baselineRow.rounds[round].rps);
      p99Ratios.push(serviceRow.rounds[round].p99 / baselineRow.rounds[round].p99);
    }
    serviceRow.ratio = median(ratios);
    serviceRow.p99Ratio = median(p99Ratios);
    rows.push(serviceRow, baselineRow);
    log(
      `  ${scenario.title}: service ${fmt(summary(serviceRow).rps, 0)} req/s, baseline ${fmt(summary(baselineRow).rps, 0)} req/s, ratio ${fmt(serviceRow.ratio, 2)}; statements ${fmt(serviceRow.statements)} vs ${fmt(baselineRow.statements)}`,
    );
  }
  const mysqlExtra = new Map<string, number>();
  for (const probe of statementProbes(scene)) mysqlExtra.set(probe.key, (await countStatements(service, probe)).statements);
  extra.set('mysql', mysqlExtra);
  agent.destroy();
  await Promise.all(servers.splice(0).map((server) => server.stop()));

  // The embedded SQLite default: the service alone, same data, same scenarios.
  if (withSqlite) {
    const sqlitePath = join(filesDir, 'bench.sqlite');
    const sqlite = sqliteDatabase(sqlitePath);
    log('sqlite: migrating and filling');
    await migrate(sqlite);
    const sqliteFill = await sqliteWriter(sqlitePath);
    await fill(sqliteFill, volume, filesDir, log);
    await sqliteFill.close();
    const sqliteService = await startServer({
      name: 'service (sqlite)',
      script: SERVICE_MAIN,
      env: { ...serviceEnv, DATABASE_URL: `sqlite:${sqlitePath}` },
      cores: serverCores,
      nodeArgs: serviceNodeArgs,
    });
    servers.push(sqliteService);
    for (const scenario of list) {
      const row: Row = { database: 'sqlite', scenario, server: 'service', rounds: [], ...(await countStatements(sqliteService, scenario)) };
      await runLoad(sqliteService.port, scenario.connections, warmUpMs, scenario.request);
      for (let round = 0; round < Math.max(1, Math.min(rounds, 2)); round++)
        row.rounds.push(await measure(sqliteService, scenario, seconds * 1000));
      rows.push(row);
      log(`  sqlite ${scenario.title}: ${fmt(summary(row).rps, 0)} req/s, statements ${fmt(row.statements)}`);
    }
    const sqliteExtra = new Map<string, number>();
    for (const probe of statementProbes(scene)) sqliteExtra.set(probe.key, (await countStatements(sqliteService, probe)).statements);
    extra.set('sqlite', sqliteExtra);
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  }

  // Report.
  const loadAfter = os.loadavg();
  const checked = targets(rows, mysqlExtra);
  const measuredCounts = measuredBudget(rows, extra);
  const budgetFailures = checkBudget(measuredCounts);
  if (flag('write-budget')) {
    // Merged into the committed budget, so that a run with --only rewrites only what it measured.
    let merged: Budget = {};
    try {
      merged = JSON.parse(readFileSync(BUDGET_FILE, 'utf8')) as Budget;
    } catch {
      // No budget yet.
    }
    for (const [database, counts] of Object.entries(measuredCounts)) merged[database] = { ...merged[database], ...counts };
    writeFileSync(BUDGET_FILE, `${JSON.stringify(merged, null, 2)}\n`);
    log(`wrote ${BUDGET_FILE}`);
  }
  const errorRows = rows.filter((row) => summary(row).errors > 0);
  const development = quick || scale < 1 || loadBefore[0] >= 1.5;
  const report = [
    `# crm-files benchmark results`,
    '',
    development
      ? `**${quick ? 'Quick' : 'Development'} run**${scale < 1 ? ` at ${scale} of the full volume` : ''}${loadBefore[0] >= 1.5 ? ', on a busy machine' : ''}: the numbers show the shape, not the limits. The targets of issue 10 are judged on a full run on a quiet machine.`
      : 'Full run.',
    '',
    `- date: ${startedAt.toISOString()}, ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s in all`,
    `- machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${cpus} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`,
    `- load average (1, 5, 15 min): ${loadBefore.map((n) => n.toFixed(2)).join(', ')} before, ${loadAfter.map((n) => n.toFixed(2)).join(', ')} after`,
    `- pinning: ${pinned ? `servers on core ${serverCores}, load generator on the others (taskset)` : 'none (taskset missing or one core)'}; database server not pinned`,
    `- versions: Node ${process.version}, ${version}, crm-files ${sh('git', ['rev-parse', '--short', 'HEAD']) || 'unknown commit'}`,
    `- volume: ${JSON.stringify(volume)}; filled in ${fillSeconds.toFixed(1)} s (MySQL)`,
    `- method: per scenario, ${rounds} round(s) of ${seconds} s per server, interleaved service/baseline (order alternating), after a warm-up; req/s, p50, p99, CPU are medians over rounds, the ratio is the median of the per-round ratios; statements and round trips per request counted in each server process (mysql2 / better-sqlite3 calls made on behalf of an HTTP request; background timers such as the webhook worker are not counted) over ${quick ? 3 : 6} sequential requests; CPU from process.cpuUsage() of the server; peak RSS sampled every 100 ms`,
    `- load: closed loop, keep-alive connections from one process, member's API key, public contact`,
    `- baseline's attach: ${baselineWritesWebhookEvents ? 'writes its event, the links and the webhook event in one transaction, as the service does (the contract writes every change with its event)' : 'writes its event and the links only, no webhook event (--baseline-without-webhook-events)'}`,
    '',
    table(rows),
    '',
    '## Targets (MySQL/MariaDB)',
    '',
    ...checked.map((target) => `- ${target.pass ? 'PASS' : 'FAIL'} ${target.name}: ${target.detail}`),
    '',
    '## Answers',
    '',
    mismatches.length === 0
      ? '- the baseline answered every scenario with the same body as the service'
      : mismatches.map((m) => `- MISMATCH ${m}`).join('\n'),
    ...errorRows.map(
      (row) => `- ERRORS ${row.database} ${row.scenario.key} ${row.server}: ${summary(row).errors}, first: ${summary(row).firstError}`,
    ),
    ...(budgetFailures.length ? ['', '## Statement budget', '', ...budgetFailures.map((failure) => `- OVER ${failure}`)] : []),
    '',
    '## Plan of the files page queries at 10,000 events (EXPLAIN: the page, then the total)',
    '',
    '```',
    ...(plan as Array<Record<string, unknown>>).map((line) => JSON.stringify(line)),
    '```',
    '',
  ].join('\n');
  console.log(report);
  if (resultsFile) {
    writeFileSync(resultsFile, report);
    log(`wrote ${resultsFile}`);
  }
  if (mismatches.length > 0) log(`FAILED: the baseline's answers differ from the service's`);
  if (errorRows.length > 0) log(`FAILED: requests answered with errors`);
  if (budgetFailures.length > 0) log(`FAILED: statement budget exceeded:\n  ${budgetFailures.join('\n  ')}`);
  return mismatches.length > 0 || errorRows.length > 0 || (quick && budgetFailures.length > 0) ? 1 : 0;
}

let status = 1;
try {
  status = await main();
} catch (error) {
  // After Ctrl-C, the requests and queries cut short are not findings.
  if (!interrupted) console.error(error);
} finally {
  await cleanUp();
}
process.exit(status);
