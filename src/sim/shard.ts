/**
 * Sharded sweeps. A sweep is a grid of cells (the (policy, size) runs of `simulate`, the sites
 * of a `--datalake` replay); `--shard I/N` runs the I-th of N deterministic, balanced shards of
 * it (one index of a Kubernetes Indexed Job) and writes a part file: the trace's identity, the
 * whole grid, the cells it ran and their results. `merge` checks that the parts come from one
 * trace and one grid, every shard once, and puts the results back in grid order, so the merged
 * outputs are those of an unsharded run.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../common/atomic.js';
import { type FileIdentity, fileIdentity, sameContent } from '../common/file-identity.js';
import { jsonText, parseJsonText } from '../common/json.js';
import { type Trace, uniqueBytes } from '../trace/model.js';
import type { SimResult } from './metrics.js';
import type { RunOptions, SimJob } from './parallel.js';
import { runSimulations } from './parallel.js';

/** Shard `index` (0-based, as Kubernetes' JOB_COMPLETION_INDEX) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

export class ShardError extends Error {
  constructor(
    /** the part file concerned, '' for the command line or the set of parts */
    readonly file: string,
    /** the field or option concerned */
    readonly field: string,
    reason: string,
  ) {
    super(`${file ? `${file}: ` : ''}${field}: ${reason}`);
    this.name = 'ShardError';
  }
}

/** Parses `I/N`: 0 <= I < N. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [Number.NaN, Number.NaN];
  if (!match || !(count >= 1) || !(index < count)) {
    throw new ShardError(
      '',
      '--shard',
      `"${text}" is not I/N with 0 <= I < N (I counts from 0, as JOB_COMPLETION_INDEX)`,
    );
  }
  return { index, count };
}

/** Refuses more shards than cells: a shard with nothing to run is a mistake in N. */
export function checkShardCount(cells: number, shard: Shard): void {
  if (shard.count > cells) {
    throw new ShardError(
      '',
      '--shard',
      `${shard.count} shards of a grid of ${cells} cell(s): give at most ${cells}`,
    );
  }
}

/** Cells j with j mod N = I: cells of equal cost, shard sizes differing by one at most. */
export function roundRobin(cells: number, shard: Shard): number[] {
  checkShardCount(cells, shard);
  const mine: number[] = [];
  for (let j = shard.index; j < cells; j += shard.count) mine.push(j);
  return mine;
}

/**
 * Cells of unequal cost `work`: the costliest first, each to the least loaded shard (the lower
 * index on a tie), so every shard computes the same split; the shard's cells in grid order.
 */
export function byWork(work: readonly number[], shard: Shard): number[] {
  checkShardCount(work.length, shard);
  const order = work.map((w, j) => [w, j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const load = new Array<number>(shard.count).fill(0);
  const mine: number[] = [];
  for (const [w, j] of order) {
    let least = 0;
    for (let s = 1; s < shard.count; s++) if (load[s] < load[least]) least = s;
    load[least] += w;
    if (least === shard.index) mine.push(j);
  }
  return mine.sort((a, b) => a - b);
}

/** The trace file and what was read from it. */
export interface TraceIdentity extends FileIdentity {
  requests: number;
  objects: number;
  uniqueBytes: number;
  /** seconds from the first to the last request */
  span: number;
}

export async function traceIdentity(file: string, trace: Trace): Promise<TraceIdentity> {
  return {
    ...(await fileIdentity(file)),
    requests: trace.length,
    objects: trace.objectCount,
    uniqueBytes: uniqueBytes(trace),
    span: trace.length > 0 ? trace.time[trace.length - 1] - trace.time[0] : 0,
  };
}

export const PART_FORMAT = 'smartcache-part/1';
export type PartKind = 'simulate' | 'datalake';

/** Everything that decides the results besides the trace, and the cells, in order. */
export interface Grid<Cell = unknown> {
  settings: Record<string, unknown>;
  cells: Cell[];
}

export interface Part<Cell = unknown, Result = unknown> {
  format: typeof PART_FORMAT;
  kind: PartKind;
  shard: Shard;
  trace: TraceIdentity;
  grid: Grid<Cell>;
  /** the grid cells this shard ran, ascending */
  cells: number[];
  /** the command line, without --shard and --part: the same for every shard */
  command: string;
  result: Result;
}

/** Keys whose value may be Infinity (the unbounded baseline's size). */
const INFINITE_KEYS = new Set(['cacheSize', 'capacity']);

export async function writePart(file: string, part: Part): Promise<void> {
  await writeFileAtomic(file, `${jsonText(part)}\n`);
}

export async function readPart(file: string): Promise<Part> {
  let value: unknown;
  try {
    value = parseJsonText(await readFile(file, 'utf8'), INFINITE_KEYS);
  } catch (err) {
    throw new ShardError(file, '(file)', (err as Error).message);
  }
  const part = value as Partial<Part>;
  if (typeof part !== 'object' || part === null || part.format !== PART_FORMAT) {
    throw new ShardError(file, 'format', `not a part file (expected "${PART_FORMAT}")`);
  }
  const fields: [keyof Part, (v: unknown) => boolean][] = [
    ['kind', (v) => v === 'simulate' || v === 'datalake'],
    ['shard', (v) => Number.isInteger((v as Shard)?.index) && Number.isInteger((v as Shard)?.count)],
    ['trace', (v) => typeof (v as TraceIdentity)?.sha256 === 'string'],
    ['grid', (v) => Array.isArray((v as Grid)?.cells) && typeof (v as Grid)?.settings === 'object'],
    ['cells', (v) => Array.isArray(v) && v.every(Number.isInteger)],
    ['command', (v) => typeof v === 'string'],
    ['result', (v) => v !== undefined],
  ];
  for (const [field, valid] of fields) {
    if (!valid(part[field])) throw new ShardError(file, field, 'missing or malformed');
  }
  return part as Part;
}

/** Indexes 2, 5 and 6 as "2, 5, 6". */
const list = (indexes: number[]) => indexes.join(', ');

/**
 * Checks that `parts` (file -> part) are the whole of one sweep: one kind, one trace, one grid,
 * every shard index of 0..N-1 exactly once and every cell exactly once. Returns them by index.
 */
export function checkParts(parts: readonly { file: string; part: Part }[]): Part[] {
  if (parts.length === 0) throw new ShardError('', 'parts', 'no part file given');
  const [first] = parts;
  const gridText = JSON.stringify(first.part.grid);
  for (const { file, part } of parts.slice(1)) {
    if (part.kind !== first.part.kind) {
      throw new ShardError(
        file,
        'kind',
        `a ${part.kind} part beside the ${first.part.kind} part ${first.file}`,
      );
    }
    if (!sameContent(part.trace, first.part.trace)) {
      throw new ShardError(
        file,
        'trace',
        `${part.trace.path} (${part.trace.bytes} bytes, sha256 ${part.trace.sha256.slice(0, 12)}) is not the trace of ${first.file}: ${first.part.trace.path} (${first.part.trace.bytes} bytes, sha256 ${first.part.trace.sha256.slice(0, 12)})`,
      );
    }
    if (JSON.stringify(part.grid) !== gridText) {
      throw new ShardError(file, 'grid', `its grid (settings and cells) differs from that of ${first.file}`);
    }
    if (part.shard.count !== first.part.shard.count) {
      throw new ShardError(
        file,
        'shard',
        `one of ${part.shard.count} shards, ${first.file} one of ${first.part.shard.count}`,
      );
    }
  }
  const count = first.part.shard.count;
  const byIndex = new Map<number, string>();
  for (const { file, part } of parts) {
    const seen = byIndex.get(part.shard.index);
    if (seen !== undefined)
      throw new ShardError(
        file,
        'shard',
        `shard ${part.shard.index}/${count} again: ${seen} is that shard too`,
      );
    if (part.shard.index >= count)
      throw new ShardError(file, 'shard', `index ${part.shard.index} of ${count} shards`);
    byIndex.set(part.shard.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new ShardError(
      '',
      'parts',
      `missing shard(s) ${list(missing)} of ${count} (have ${list([...byIndex.keys()].sort((a, b) => a - b))})`,
    );
  }
  const owner = new Map<number, string>();
  for (const { file, part } of parts) {
    for (const cell of part.cells) {
      const other = owner.get(cell);
      if (other !== undefined) throw new ShardError(file, 'cells', `cell ${cell} was run by ${other} too`);
      owner.set(cell, file);
    }
  }
  const uncovered = first.part.grid.cells.map((_, j) => j).filter((j) => !owner.has(j));
  if (uncovered.length > 0) throw new ShardError('', 'cells', `no part ran grid cell(s) ${list(uncovered)}`);
  return [...parts].map((p) => p.part).sort((a, b) => a.shard.index - b.shard.index);
}

/** A (policy, size) run of the grid of `simulate`. */
export interface SimulationCell {
  /** policy with its parameters, e.g. `s3fifo(fifo-size-ratio=0.2)` */
  policy: string;
  /** bytes */
  capacity: number;
}

export type SimulationPart = Part<SimulationCell, SimResult[]>;

/** Runs shard `shard` of `jobs` (all the runs of the plan, in order) and returns its part. */
export async function simulateShard(
  trace: Trace,
  jobs: readonly SimJob[],
  shard: Shard,
  about: { trace: TraceIdentity; settings: Record<string, unknown>; command: string },
  run: RunOptions = {},
): Promise<SimulationPart> {
  const cells = roundRobin(jobs.length, shard);
  const result = await runSimulations(
    trace,
    cells.map((j) => jobs[j]),
    run,
  );
  return {
    format: PART_FORMAT,
    kind: 'simulate',
    shard,
    trace: about.trace,
    grid: {
      settings: about.settings,
      cells: jobs.map((job) => ({ policy: job.label ?? job.policy, capacity: job.options.capacity })),
    },
    cells,
    command: about.command,
    result,
  };
}

/** The results of checked `simulate` parts in grid order: the order of an unsharded run. */
export function mergeSimulation(parts: readonly Part[]): SimResult[] {
  const results: SimResult[] = [];
  for (const part of parts as readonly SimulationPart[]) {
    if (!Array.isArray(part.result) || part.result.length !== part.cells.length) {
      throw new ShardError(
        `shard ${part.shard.index}`,
        'result',
        `${part.cells.length} cells but ${Array.isArray(part.result) ? part.result.length : 'no'} results`,
      );
    }
    part.cells.forEach((cell, k) => {
      results[cell] = part.result[k];
    });
  }
  return results;
}
