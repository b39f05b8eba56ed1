/**
 * Synthetic workloads, deterministic from a seed, generated straight into a columnar
 * trace. The `datalake` preset models CMS analysis reading a data lake; `campaigns` is the
 * same model under strong campaign drift (most datasets released during the span, users
 * less attached to their recent datasets). The model and every parameter are described in
 * docs/workload.md.
 */

import { DAY } from '../common/time.js';
import { MAX_FILE_SIZE, MIN_FILE_SIZE } from './datalake/catalog.js';
import { DEFAULT_SITES, type SiteSpec } from './datalake/community.js';
import { type DatalakeSettings, generateDatalake } from './datalake/datalake.js';
import type { Trace } from './model.js';

export type { SiteSpec } from './datalake/community.js';
export { DEFAULT_SITES } from './datalake/community.js';

export const WORKLOAD_PRESETS = ['datalake', 'campaigns'] as const;
export type WorkloadPreset = (typeof WORKLOAD_PRESETS)[number];

/** 2025-01-01T00:00:00Z: generated traces start at midnight so that days are calendar days. */
export const DEFAULT_START = Date.UTC(2025, 0, 1) / 1000;

export interface WorkloadOptions {
  /** default `datalake` */
  preset?: WorkloadPreset;
  /** number of requests, exactly */
  requests: number;
  /** default 1 */
  seed?: number;
  /** unix seconds of the trace start (default 2025-01-01T00:00:00Z) */
  start?: number;
  /** span in days (default 30) */
  days?: number;
  /** the first N of DEFAULT_SITES, or explicit sites with weights (default all 12 DEFAULT_SITES) */
  sites?: number | readonly SiteSpec[];
  /** default 300 */
  users?: number;
  /** datasets in the catalogue (default one per 150 requests, at least 20) */
  datasets?: number;
  /** default 10 */
  minFilesPerDataset?: number;
  /** default 2000 */
  maxFilesPerDataset?: number;
  /** Zipf exponent of datasets' intrinsic popularity (default 0.8) */
  popularitySkew?: number;
  /** share of datasets released during the span rather than before it (default 0.4) */
  newDatasetFraction?: number;
  /** probability that a task reads one of its user's recent datasets (default 0.5) */
  affinity?: number;
  /** probability that a task re-runs its user's previous task (default 0.2) */
  rerunProbability?: number;
  /** median size of a MiniAOD file in bytes (default 2.5e9) */
  medianFileSize?: number;
  /** largest file in bytes (default 20 GB; 4 GB fits libCacheSim's oracleGeneral 32-bit sizes) */
  maxFileSize?: number;
}

/** what a preset changes from the datalake defaults; options given explicitly still win */
const PRESET_DEFAULTS: Record<WorkloadPreset, Partial<WorkloadOptions>> = {
  datalake: {},
  campaigns: { newDatasetFraction: 0.85, affinity: 0.25 },
};

const REQUESTS_PER_DATASET = 150;
const MIN_DEFAULT_DATASETS = 20;

export function generateWorkload(options: WorkloadOptions): Trace {
  const preset = options.preset ?? 'datalake';
  if (!WORKLOAD_PRESETS.includes(preset)) {
    throw new RangeError(
      `workload option preset must be one of ${WORKLOAD_PRESETS.join(', ')}, got ${preset}`,
    );
  }
  return generateDatalake(datalakeSettings({ ...PRESET_DEFAULTS[preset], ...withoutUndefined(options) }));
}

/** Fills in defaults and checks every option, naming the bad one. */
export function datalakeSettings(o: WorkloadOptions): DatalakeSettings {
  const requests = o.requests;
  check('requests', requests, Number.isSafeInteger(requests) && requests > 0, 'a positive integer');
  const settings: DatalakeSettings = {
    requests,
    seed: o.seed ?? 1,
    start: o.start ?? DEFAULT_START,
    span: (o.days ?? 30) * DAY,
    sites: resolveSites(o.sites ?? DEFAULT_SITES.length),
    users: o.users ?? 300,
    datasets: o.datasets ?? Math.max(MIN_DEFAULT_DATASETS, Math.round(requests / REQUESTS_PER_DATASET)),
    minFilesPerDataset: o.minFilesPerDataset ?? 10,
    maxFilesPerDataset: o.maxFilesPerDataset ?? 2000,
    popularitySkew: o.popularitySkew ?? 0.8,
    newDatasetFraction: o.newDatasetFraction ?? 0.4,
    affinity: o.affinity ?? 0.5,
    rerunProbability: o.rerunProbability ?? 0.2,
    medianFileSize: o.medianFileSize ?? 2.5e9,
    maxFileSize: o.maxFileSize ?? MAX_FILE_SIZE,
  };
  checkSettings(settings, o.days ?? 30);
  return settings;
}

function checkSettings(s: DatalakeSettings, days: number): void {
  check('seed', s.seed, Number.isSafeInteger(s.seed), 'an integer');
  check('start', s.start, Number.isFinite(s.start) && s.start >= 0, 'unix seconds >= 0');
  check('days', days, Number.isFinite(days) && days > 0, 'a positive number');
  check('users', s.users, Number.isSafeInteger(s.users) && s.users > 0, 'a positive integer');
  check('datasets', s.datasets, Number.isSafeInteger(s.datasets) && s.datasets > 0, 'a positive integer');
  const minFiles = s.minFilesPerDataset;
  check('minFilesPerDataset', minFiles, Number.isSafeInteger(minFiles) && minFiles > 0, 'a positive integer');
  const maxFiles = s.maxFilesPerDataset;
  check(
    'maxFilesPerDataset',
    maxFiles,
    Number.isSafeInteger(maxFiles) && maxFiles >= minFiles,
    'an integer >= minFilesPerDataset',
  );
  check('popularitySkew', s.popularitySkew, s.popularitySkew >= 0 && s.popularitySkew <= 4, 'in [0, 4]');
  check(
    'newDatasetFraction',
    s.newDatasetFraction,
    s.newDatasetFraction >= 0 && s.newDatasetFraction < 1,
    'in [0, 1)',
  );
  check('affinity', s.affinity, s.affinity >= 0 && s.affinity <= 1, 'in [0, 1]');
  check(
    'rerunProbability',
    s.rerunProbability,
    s.rerunProbability >= 0 && s.rerunProbability <= 1,
    'in [0, 1]',
  );
  const median = s.medianFileSize;
  const sizes = `in [${MIN_FILE_SIZE}, ${MAX_FILE_SIZE}] bytes`;
  check('medianFileSize', median, median >= MIN_FILE_SIZE && median <= MAX_FILE_SIZE, sizes);
  const max = s.maxFileSize;
  check(
    'maxFileSize',
    max,
    max >= median && max <= MAX_FILE_SIZE,
    `in [medianFileSize, ${MAX_FILE_SIZE}] bytes`,
  );
}

function resolveSites(sites: number | readonly SiteSpec[]): readonly SiteSpec[] {
  if (typeof sites === 'number') {
    const known = DEFAULT_SITES.length;
    check(
      'sites',
      sites,
      Number.isInteger(sites) && sites >= 1 && sites <= known,
      `an integer in [1, ${known}]`,
    );
    return DEFAULT_SITES.slice(0, sites);
  }
  check('sites', sites.length, sites.length > 0, 'a non-empty list');
  const names = new Set<string>();
  for (const site of sites) {
    check(
      'sites',
      site.name,
      site.name.length > 0 && !names.has(site.name),
      'a list of distinct non-empty names',
    );
    check(
      `sites weight of ${site.name}`,
      site.weight,
      Number.isFinite(site.weight) && site.weight > 0,
      'positive',
    );
    names.add(site.name);
  }
  return sites;
}

function withoutUndefined(o: WorkloadOptions): WorkloadOptions {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined),
  ) as unknown as WorkloadOptions;
}

function check(option: string, value: unknown, ok: boolean, expectation: string): void {
  if (!ok) throw new RangeError(`workload option ${option} must be ${expectation}, got ${String(value)}`);
}
