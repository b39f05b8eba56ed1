/** Test helpers: a real local Spark Connect server on a free loopback port, in a throwaway state dir. */
import { type ScratchSpark, startScratchSpark } from '../../../src/prep/spark/local-server.js';

export type TestSpark = ScratchSpark;

export async function startTestSpark(): Promise<TestSpark> {
  const started = Date.now();
  const spark = await startScratchSpark({ driverMemory: '1g' });
  process.stderr.write(
    `# local Spark Connect server up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return spark;
}
