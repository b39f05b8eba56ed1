/**
 * The datasets of a generated data lake: when each is released, how popular it is,
 * how many files it has and how large they are.
 *
 * Files are numbered globally (dataset d owns files firstFile[d] .. firstFile[d] +
 * fileCount[d] - 1). A file's size and name are pure functions of its number and the
 * seed, so nothing per file is stored until a request reads it.
 */
import { cumulativeWeights, mix32, pickWeighted, type Random } from '../../common/random.js';
import { DAY } from '../../common/time.js';
import { CAMPAIGNS, type Campaign, nameDataset } from './names.js';

/** Tail index of the bounded Pareto number of files per dataset: most are small, a few huge. */
const FILES_PER_DATASET_ALPHA = 0.7;
/** Mean age, at the trace start, of datasets released before it. */
const BACKLOG_MEAN_AGE = 180 * DAY;
/** Datasets of one release campaign appear over a few days, not at one instant. */
const CAMPAIGN_SPREAD = 2 * DAY;
/** Release campaigns during the trace: about one a week. */
const CAMPAIGN_INTERVAL = 7 * DAY;
/** New releases come from the most recent campaigns. */
const RECENT_CAMPAIGNS = 4;
/** A new dataset is (1 + NEW_BOOST) times as popular on release day, fading over BOOST_DAYS. */
const NEW_BOOST = 4;
const BOOST_DAYS = 7;
/** Popularity halves once a dataset is AGING_DAYS old, a third at twice that, and so on. */
const AGING_DAYS = 30;
/** Spread of per-dataset median file size (log space) and of files within a dataset. */
const DATASET_SIZE_SIGMA = 0.25;
const FILE_SIZE_SIGMA = 0.3;
/** Share of files in the Pareto tail (unmerged or oversized outputs) and its index. */
const TAIL_SHARE = 0.02;
const TAIL_ALPHA = 1.5;
export const MIN_FILE_SIZE = 1e6;
export const MAX_FILE_SIZE = 20e9;
const TWO_32 = 2 ** 32;

export interface CatalogSettings {
  datasets: number;
  minFilesPerDataset: number;
  maxFilesPerDataset: number;
  /** Zipf exponent of datasets' intrinsic popularity */
  popularitySkew: number;
  newDatasetFraction: number;
  medianFileSize: number;
  /** files are clipped to this size (bytes) */
  maxFileSize: number;
  start: number;
  span: number;
}

export class Catalog {
  readonly count: number;
  readonly names: string[] = [];
  readonly directories: string[] = [];
  readonly release: Float64Array;
  readonly intrinsic: Float64Array;
  readonly fileCount: Int32Array;
  readonly firstFile: Float64Array;
  readonly medianSize: Float64Array;
  readonly totalFiles: number;
  /** mixes the seed into file sizes and names */
  readonly salt: number;
  private readonly maxFileSize: number;

  constructor(settings: CatalogSettings, rng: Random) {
    const n = settings.datasets;
    this.count = n;
    this.maxFileSize = settings.maxFileSize;
    this.salt = rng.uint32();
    this.release = releaseTimes(settings, rng);
    this.intrinsic = zipfWeights(n, settings.popularitySkew, rng);
    this.fileCount = new Int32Array(n);
    this.firstFile = new Float64Array(n);
    this.medianSize = new Float64Array(n);
    const versions = new Map<string, number>();
    let files = 0;
    for (let d = 0; d < n; d++) {
      const campaign = campaignFor(this.release[d], settings.start, rng);
      const name = nameDataset(campaign, rng, versions);
      this.names.push(name.dataset);
      this.directories.push(name.directory);
      const drawn = rng.boundedPareto(
        settings.minFilesPerDataset,
        FILES_PER_DATASET_ALPHA,
        settings.maxFilesPerDataset + 1,
      );
      this.fileCount[d] = Math.min(settings.maxFilesPerDataset, Math.floor(drawn));
      this.firstFile[d] = files;
      files += this.fileCount[d];
      const median = settings.medianFileSize * name.relativeSize;
      this.medianSize[d] = rng.lognormal(median, DATASET_SIZE_SIGMA);
    }
    this.totalFiles = files;
  }

  /** Size in bytes of file `index` (0-based) of dataset `d`. */
  fileSize(d: number, index: number): number {
    const file = this.firstFile[d] + index;
    const u1 = (mix32(file ^ this.salt) + 0.5) / TWO_32;
    const u2 = mix32((file ^ this.salt) + 0x9e3779b9) / TWO_32;
    const u3 = mix32((file ^ this.salt) + 0x7f4a7c15) / TWO_32;
    const median = this.medianSize[d];
    let size: number;
    if (u3 < TAIL_SHARE) {
      size = 2 * median * u1 ** (-1 / TAIL_ALPHA);
    } else {
      const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      size = median * Math.exp(FILE_SIZE_SIGMA * normal);
    }
    // The last file of a dataset holds what was left when merging stopped.
    if (index === this.fileCount[d] - 1) size *= u2;
    return Math.round(Math.min(this.maxFileSize, Math.max(MIN_FILE_SIZE, size)));
  }

  /** Popularity of dataset `d` at time `t`: zero before release, boosted when new, fading with age. */
  popularity(d: number, t: number): number {
    const age = (t - this.release[d]) / DAY;
    if (age < 0) return 0;
    return (this.intrinsic[d] * (1 + NEW_BOOST * Math.exp(-age / BOOST_DAYS))) / (1 + age / AGING_DAYS);
  }

  /** Mean files per dataset, unweighted. */
  meanFiles(): number {
    return this.totalFiles / this.count;
  }
}

function releaseTimes(s: CatalogSettings, rng: Random): Float64Array {
  const release = new Float64Array(s.datasets);
  const backlog = Math.max(1, Math.round(s.datasets * (1 - s.newDatasetFraction)));
  const campaigns = Math.max(1, Math.round(s.span / CAMPAIGN_INTERVAL));
  const campaignStart = Float64Array.from({ length: campaigns }, () => s.start + rng.float() * s.span);
  for (let d = 0; d < s.datasets; d++) {
    release[d] =
      d < backlog
        ? s.start - rng.exponential() * BACKLOG_MEAN_AGE
        : campaignStart[rng.int(campaigns)] + rng.exponential() * CAMPAIGN_SPREAD;
  }
  return release;
}

function campaignFor(release: number, start: number, rng: Random): Campaign {
  const recent = CAMPAIGNS.length - RECENT_CAMPAIGNS;
  return release >= start
    ? CAMPAIGNS[recent + rng.int(RECENT_CAMPAIGNS)]
    : CAMPAIGNS[rng.int(CAMPAIGNS.length)];
}

/** Weights 1/rank^skew with ranks shuffled over the items. */
export function zipfWeights(n: number, skew: number, rng: Random): Float64Array {
  const rank = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [rank[i], rank[j]] = [rank[j], rank[i]];
  }
  return Float64Array.from(rank, (r) => (r + 1) ** -skew);
}

/** How often the popularity table is rebuilt: popularity drifts over days, releases spread over two. */
const POPULARITY_REFRESH = 6 * 3600;

/** Draws datasets by their popularity at a time, from a table rebuilt every POPULARITY_REFRESH. */
export class PopularitySampler {
  private cdf: Float64Array = new Float64Array(0);
  private period = Number.NaN;

  constructor(private readonly catalog: Catalog) {}

  pick(t: number, rng: Random): number {
    const period = Math.floor(t / POPULARITY_REFRESH);
    if (period !== this.period) {
      this.period = period;
      const weights = new Float64Array(this.catalog.count);
      for (let d = 0; d < weights.length; d++) weights[d] = this.catalog.popularity(d, t);
      this.cdf = cumulativeWeights(weights);
    }
    return pickWeighted(this.cdf, rng);
  }
}
