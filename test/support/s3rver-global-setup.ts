import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The http:// endpoint of the run's s3rver, on loopback. */
    s3Endpoint: string;
  }
}

/** s3rver's fixed credentials: it checks request signatures against them. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * One real S3 protocol peer per test run: s3rver on a free loopback port, keeping its objects
 * in a temporary folder that goes with it. Every test app makes its own bucket in it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const directory = await mkdtemp(join(tmpdir(), 'crm-files-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false });
  const address = (await server.run()) as AddressInfo;
  project.provide('s3Endpoint', `http://127.0.0.1:${address.port}`);
  return async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  };
}
