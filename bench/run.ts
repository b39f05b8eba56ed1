/**
 * `npm run bench`: the simulator against libCacheSim's cachesim (bench/sim.ts), then
 * feature-prep throughput (bench/prep.ts) and learning: training time per epoch and replay throughput with learned policies (bench/learn.ts),
 * the redirector's decisions per second against nginx (bench/cluster.ts), and the cache node
 * against nginx proxy_cache and XCache (bench/cache.ts).
 */
import { benchCache } from './cache.js';
import { benchCluster } from './cluster.js';
import { generatedTrace } from './generated.js';
import { benchLearn } from './learn.js';
import { benchPrep } from './prep.js';
import { printRlBench } from './rl.js';
import { benchServe } from './serve.js';
import { benchSimulator } from './sim.js';

/** Sections by name; `npm run bench -- sim` runs one, no argument runs all. */
const SECTIONS: Record<string, () => Promise<void> | void> = {
  sim: benchSimulator,
  prep: () => benchPrep(generatedTrace()),
  serve: benchServe,
  learn: benchLearn,
  rl: printRlBench,
  cluster: benchCluster,
  cache: benchCache,
};

const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!(name in SECTIONS))
    throw new Error(`unknown bench section "${name}"; known: ${Object.keys(SECTIONS).join(', ')}`);
}
for (const name of chosen.length > 0 ? chosen : Object.keys(SECTIONS)) {
  await SECTIONS[name]();
  console.log();
}
