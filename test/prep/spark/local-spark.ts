/** Test helpers: a real local Spark Connect server on a free loopback port, in a throwaway state dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSpark, startLocalSpark, stopLocalSpark } from '../../../src/prep/spark/local-server.js';

export interface TestSpark {
  server: LocalSpark;
  stateDir: string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks it, then it is released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startTestSpark(): Promise<TestSpark> {
  const stateDir = await mkdtemp(join(tmpdir(), 'smartcache-spark-test-'));
  const started = Date.now();
  const server = await startLocalSpark({ port: await freePort(), stateDir, driverMemory: '1g' });
  process.stderr.write(
    `# local Spark Connect server up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return {
    server,
    stateDir,
    async stop() {
      await stopLocalSpark({ stateDir });
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
