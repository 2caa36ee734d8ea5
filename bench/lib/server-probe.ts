/**
 * Loaded into each server the benchmark starts (`node --import .../server-probe.js`), the
 * service and the baseline alike. It counts the SQL statements and round trips the process
 * sends (mysql2: every query/execute call is one round trip, each `;`-separated statement in
 * it one statement; better-sqlite3: every statement execution), and answers the parent's
 * questions over the IPC channel: CPU time used, peak resident set since the last reset, and
 * the counters. Nothing here changes what the server does.
 *
 * Only statements sent on behalf of an HTTP request count: every 'request' event of an HTTP
 * server runs inside an async context of its own, and a statement is counted when it is sent
 * from within one. The service's background work (the webhook delivery worker's polls, the
 * clean-ups on timers) is not what a request costs, and would make the counts depend on when
 * its timers fire.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Server } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let statements = 0;
let roundTrips = 0;
let peakRss = process.memoryUsage.rss();

const inRequest = new AsyncLocalStorage<true>();
const emit = Server.prototype.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
  return event === 'request' ? inRequest.run(true, () => emit.apply(this, [event, ...args])) : emit.apply(this, [event, ...args]);
};

function countSql(sql: unknown): void {
  if (!inRequest.getStore()) return;
  const text = typeof sql === 'string' ? sql : typeof sql === 'object' && sql !== null ? String((sql as { sql?: unknown }).sql ?? '') : '';
  roundTrips += 1;
  statements += Math.max(1, text.split(';').filter((part) => part.trim() !== '').length);
}

try {
  // BaseConnection: the prototype every pooled and single mysql2 connection shares.
  const { Connection } = require('mysql2') as { Connection: { prototype: object } };
  const proto = Object.getPrototypeOf(Connection.prototype) as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['query', 'execute']) {
    const original = proto[method];
    proto[method] = function (this: unknown, ...args: unknown[]) {
      countSql(args[0]);
      return original.apply(this, args);
    };
  }
} catch {
  // mysql2 is not installed: nothing to count there.
}

try {
  const Database = require('better-sqlite3') as { prototype: Record<string, (...args: unknown[]) => unknown> };
  const prepare = Database.prototype.prepare;
  const exec = Database.prototype.exec;
  let statementPatched = false;
  Database.prototype.prepare = function (this: unknown, ...args: unknown[]) {
    const statement = prepare.apply(this, args) as object;
    if (!statementPatched) {
      statementPatched = true;
      const proto = Object.getPrototypeOf(statement) as Record<string, (...a: unknown[]) => unknown>;
      for (const method of ['run', 'get', 'all', 'iterate']) {
        const original = proto[method];
        proto[method] = function (this: unknown, ...a: unknown[]) {
          if (inRequest.getStore()) {
            statements += 1;
            roundTrips += 1;
          }
          return original.apply(this, a);
        };
      }
    }
    return statement;
  };
  Database.prototype.exec = function (this: unknown, ...args: unknown[]) {
    countSql(args[0]);
    return exec.apply(this, args);
  };
} catch {
  // better-sqlite3 is not installed: nothing to count there.
}

const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 100);
sampler.unref();

export interface ProbeReport {
  statements: number;
  roundTrips: number;
  /** Microseconds of user + system CPU since the process started. */
  cpuMicros: number;
  peakRss: number;
}

if (process.send) {
  process.on('message', (message: unknown) => {
    if (message === 'probe:reset-peak') peakRss = process.memoryUsage.rss();
    if (message === 'probe:read' || message === 'probe:reset-peak') {
      const cpu = process.cpuUsage();
      const report: ProbeReport = {
        statements,
        roundTrips,
        cpuMicros: cpu.user + cpu.system,
        peakRss: Math.max(peakRss, process.memoryUsage.rss()),
      };
      process.send!({ probe: report });
    }
  });
  // The channel must not keep a server alive that is asked to stop.
  process.channel?.unref();
}
