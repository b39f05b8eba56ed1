/** A data-lake replay as a sharded sweep: its cells are the lake's sites (see lake-sim.ts). */
import { PART_FORMAT, type Part, type Shard, ShardError, type TraceIdentity } from '../sim/shard.js';
import type { Trace } from '../trace/model.js';
import type { LakeConfig } from './config.js';
import {
  finishLake,
  type LakePart,
  type LakeResult,
  type LakeSimOptions,
  simulateLakePart,
} from './lake-sim.js';

export type LakeShardPart = Part<string, LakePart>;

/** Replays shard `shard` of the lake's sites and returns its part. */
export function simulateLakeShard(
  trace: Trace,
  lake: LakeConfig,
  shard: Shard,
  about: { trace: TraceIdentity; settings: Record<string, unknown>; command: string },
  options: Omit<LakeSimOptions, 'shard'> = {},
): LakeShardPart {
  const result = simulateLakePart(trace, lake, { ...options, shard });
  return {
    format: PART_FORMAT,
    kind: 'datalake',
    shard,
    trace: about.trace,
    grid: { settings: about.settings, cells: lake.sites.map((site) => site.name) },
    cells: result.cells,
    command: about.command,
    result,
  };
}

/** The lake result of checked `datalake` parts: that of an unsharded replay. */
export function mergeLake(parts: readonly Part[]): LakeResult {
  for (const part of parts as readonly LakeShardPart[]) {
    const cells = part.result?.cells;
    if (!Array.isArray(cells) || cells.join() !== part.cells.join() || !Array.isArray(part.result.counts)) {
      throw new ShardError(`shard ${part.shard.index}`, 'result', 'not the lake part of its cells');
    }
  }
  return finishLake((parts as readonly LakeShardPart[]).map((part) => part.result));
}
