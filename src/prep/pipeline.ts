/**
 * `prep`: a trace in, a day-partitioned Parquet feature set out.
 *
 * Label with Belady in TypeScript -> stage the input into the engine -> run the shared
 * feature SQL -> write Parquet and the FeatureSet manifest into a temporary directory beside
 * the output -> rename it into place.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DAY } from '../common/time.js';
import { resolveSizes } from '../sim/plan.js';
import { type Trace, uniqueBytes } from '../trace/model.js';
import { sortByTime } from '../trace/sort.js';
import type { EngineFactory, EngineOptions } from './engine.js';
import { checkOutputDirectory, replaceDirectory } from './output-dir.js';
import {
  COLUMNS,
  type FeatureSet,
  MANIFEST_FILE,
  PARTITION_COLUMN,
  type PrepSettings,
  SCHEMA_VERSION,
} from './schema.js';
import { FEATURES_VIEW, featureStatements } from './sql.js';
import { beladyNextHits, optionalInputs } from './staging.js';

/**
 * Belady's cache size behind `opt_admit` unless one is given: 1 % of the unique bytes. Labels
 * from a small cache (only the objects it keeps until their next request) trained a better
 * learned-admit than labels from 10 %, at every evaluated size, in 39 of 39 held-out cells
 * (docs/learn.md, "Label size"); on the demo's trace in one of its three.
 */
export const DEFAULT_OPT_SIZE = '0.01';

export type PrepStage = 'labelling' | 'staging' | 'features';

/** Progress of one stage: `advance` with requests done so far, `end` once. */
export interface StageProgress {
  advance(done: number): void;
  end(): void;
}

export interface PrepSource {
  trace: Trace;
  /** the trace file and its format, recorded in the manifest */
  file: string;
  format: string;
}

export interface PrepOptions extends EngineOptions {
  out: string;
  engine: EngineFactory;
  /** `reused` horizon in seconds (default one day) */
  horizon?: number;
  /** Belady cache size for `opt_admit`: fraction of unique bytes or a size like 10TB (default 0.1) */
  optSize?: string;
  overwrite?: boolean;
  onStage?: (stage: PrepStage, total: number) => StageProgress;
}

const silentStage: StageProgress = { advance: () => {}, end: () => {} };

export async function prepare(source: PrepSource, options: PrepOptions): Promise<FeatureSet> {
  const overwrite = options.overwrite ?? false;
  await checkOutputDirectory(options.out, overwrite);
  const trace = sortByTime(source.trace);
  const settings = prepSettings(source, trace, options);
  const stage = (name: PrepStage) => options.onStage?.(name, trace.length) ?? silentStage;

  // opened before the labelling so that an unreachable engine fails before any long work
  const engine = await options.engine({
    ...options,
    stageDir: options.stageDir ?? dirname(resolve(options.out)),
  });
  try {
    const labelling = stage('labelling');
    const optHitNext = beladyNextHits(trace, settings.optSize, (done) => labelling.advance(done));
    labelling.end();

    const staging = stage('staging');
    await engine.stage({ trace, optHitNext, inputs: settings.inputs }, (done) => staging.advance(done));
    staging.end();

    const features = stage('features');
    await engine.run(
      featureStatements({ horizon: settings.horizon, inputs: settings.inputs, dialect: engine.dialect }),
    );
    let featureSet: FeatureSet | undefined;
    await replaceDirectory(options.out, overwrite, async (temp) => {
      const rows = await engine.writeParquet(`SELECT * FROM ${FEATURES_VIEW}`, temp, PARTITION_COLUMN);
      featureSet = await manifest(options.out, engine.name, rows, settings, temp);
      await writeFile(join(temp, MANIFEST_FILE), `${JSON.stringify(featureSet, null, 2)}\n`);
    });
    features.advance(trace.length);
    features.end();
    return featureSet!;
  } finally {
    await engine.close();
  }
}

function prepSettings(source: PrepSource, trace: Trace, options: PrepOptions): PrepSettings {
  const optSizeSpec = options.optSize ?? DEFAULT_OPT_SIZE;
  const traceBytes = uniqueBytes(trace);
  const sizes = resolveSizes(optSizeSpec, traceBytes);
  if (sizes.length !== 1) throw new RangeError(`--opt-size takes one cache size, got "${optSizeSpec}"`);
  return {
    trace: source.file,
    format: source.format,
    horizon: options.horizon ?? DAY,
    optSize: sizes[0],
    optSizeSpec,
    uniqueBytes: traceBytes,
    inputs: optionalInputs(trace),
  };
}

async function manifest(
  out: string,
  engine: string,
  rows: number,
  settings: PrepSettings,
  written: string,
): Promise<FeatureSet> {
  const prefix = `${PARTITION_COLUMN}=`;
  const days = (await readdir(written))
    .filter((name) => name.startsWith(prefix))
    .map((name) => name.slice(prefix.length))
    .sort();
  return {
    schemaVersion: SCHEMA_VERSION,
    dir: resolve(out),
    engine,
    // the partition column lives in the folder names, after the file columns
    columns: [
      ...COLUMNS.filter((c) => c.name !== PARTITION_COLUMN),
      ...COLUMNS.filter((c) => c.name === PARTITION_COLUMN),
    ].map(({ name, type, role, nullable }) => ({ name, type, role, nullable })),
    rows,
    days: { first: days[0] ?? '', last: days.at(-1) ?? '', all: days },
    settings,
    createdAt: new Date().toISOString(),
  };
}
