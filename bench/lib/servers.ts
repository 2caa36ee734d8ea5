/** Starting the servers under test as child processes, pinned to a core, with the probe loaded. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ProbeReport } from './server-probe.js';

const PROBE = fileURLToPath(new URL('./server-probe.js', import.meta.url));

export interface ServerHandle {
  name: string;
  port: number;
  pid: number;
  probe(): Promise<ProbeReport>;
  /** Starts a new peak-RSS window and answers the counters at that moment. */
  resetPeak(): Promise<ProbeReport>;
  stop(): Promise<void>;
}

export function hasTaskset(): boolean {
  return spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/** Pins this process (the load generator) to the given cores. */
export function pinSelf(cores: string): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', cores, String(process.pid)], { stdio: 'ignore' }).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function ask(child: ChildProcess, message: string): Promise<ProbeReport> {
  return new Promise((done, fail) => {
    if (!child.connected) return fail(new Error('the server has stopped'));
    const timer = setTimeout(() => fail(new Error('the server did not answer the probe')), 10_000);
    const onMessage = (reply: unknown) => {
      const report = (reply as { probe?: ProbeReport })?.probe;
      if (!report) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      done(report);
    };
    child.on('message', onMessage);
    child.send(message, (error) => {
      if (error) {
        clearTimeout(timer);
        child.off('message', onMessage);
        fail(error);
      }
    });
  });
}

function healthy(port: number): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', timeout: 1000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function startServer(options: {
  name: string;
  script: string;
  env: Record<string, string>;
  cores: string | null;
  /** Extra flags for node, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}): Promise<ServerHandle> {
  const port = await freePort();
  const node = [process.execPath, ...(options.nodeArgs ?? []), '--import', PROBE, options.script];
  const [command, ...args] = options.cores ? ['taskset', '-c', options.cores, ...node] : node;
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  // A send to a server that has just stopped fails its promise (see ask), not the whole run.
  child.on('error', () => undefined);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((done) => child.once('exit', () => ((exited = true), done())));
  const deadline = Date.now() + 120_000;
  while (!(await healthy(port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not start:\n${stderr}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return {
    name: options.name,
    port,
    pid: child.pid!,
    probe: () => ask(child, 'probe:read'),
    resetPeak: () => ask(child, 'probe:reset-peak'),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
