/**
 * Analysis tasks: a user at a site runs over a run of files of one dataset, the reads
 * spread over the hours the task's jobs take. Tasks are planned in start-time order.
 */
import type { Random } from '../../common/random.js';
import { HOUR, MINUTE } from '../../common/time.js';
import { type Catalog, PopularitySampler } from './catalog.js';
import type { Community } from './community.js';
import { LoadProfile } from './load.js';

/** Test submissions read the first few files of a dataset before the real run. */
const TEST_TASK_SHARE = 0.1;
const TEST_TASK_MAX_FILES = 5;
/** Share of tasks that run over a whole dataset; the rest read a contiguous part of it. */
const WHOLE_DATASET_SHARE = 0.3;
/** Share of tasks reading their files in catalogue order (job splitting follows file order). */
const IN_ORDER_SHARE = 0.8;
/** Wall time of a task: lognormal with this median and log-space spread, clipped. */
const TASK_DURATION_MEDIAN = 4 * HOUR;
const TASK_DURATION_SIGMA = 0.8;
const TASK_DURATION_MIN = 10 * MINUTE;
const TASK_DURATION_MAX = 48 * HOUR;
/** How many of a user's recent datasets the affinity draws from. */
const RECENT_DATASETS = 8;
/** Weight, in tasks, of the initial guess of reads per task in the arrival-rate estimate. */
const PRIOR_TASKS = 20;

export interface TaskSettings {
  requests: number;
  users: number;
  affinity: number;
  rerunProbability: number;
  start: number;
  span: number;
}

export interface Task {
  /** time of the task's next read, seconds */
  next: number;
  /** mean seconds between its reads */
  gap: number;
  dataset: number;
  /** index within the dataset of the first file of the run */
  first: number;
  /** number of files the task reads */
  count: number;
  /** the k-th read is file first + (k * stride) mod count; stride 1 is file order */
  stride: number;
  /** reads done so far */
  done: number;
  site: number;
  user: number;
}

export class TaskPlanner {
  private readonly load: LoadProfile;
  private readonly popularity: PopularitySampler;
  private readonly recent: Int32Array;
  private readonly recentCount: Int32Array;
  private readonly lastTask: (Task | undefined)[];
  private readonly end: number;
  /** share of the span's load already submitted: the arrival process runs on this clock */
  private loadPosition = 0;
  private unplanned: number;
  private plannedTasks = PRIOR_TASKS;
  private plannedReads: number;

  constructor(
    private readonly settings: TaskSettings,
    private readonly catalog: Catalog,
    private readonly community: Community,
    private readonly rng: Random,
  ) {
    this.load = new LoadProfile(settings.start, settings.span);
    this.popularity = new PopularitySampler(catalog);
    this.recent = new Int32Array(settings.users * RECENT_DATASETS);
    this.recentCount = new Int32Array(settings.users);
    this.lastTask = new Array(settings.users);
    this.end = settings.start + settings.span;
    this.unplanned = settings.requests;
    this.plannedReads = PRIOR_TASKS * guessReadsPerTask(catalog);
  }

  /** The next task in start order, or undefined once every request is planned. */
  next(): Task | undefined {
    if (this.unplanned === 0) return undefined;
    const start = this.nextStart();
    const user = this.community.pickUser(this.rng);
    const task = this.runFor(user, start);
    task.count = Math.min(task.count, this.unplanned);
    task.gap = Math.min(this.duration(), this.end - start) / task.count;
    this.remember(task);
    this.unplanned -= task.count;
    this.plannedTasks++;
    this.plannedReads += task.count;
    return task;
  }

  /**
   * Task starts are the order statistics of the remaining tasks placed uniformly in the
   * remaining load time, so the requests end near the end of the span whatever the
   * mean task length turns out to be.
   */
  private nextStart(): number {
    const readsPerTask = this.plannedReads / this.plannedTasks;
    const tasksLeft = Math.max(1, this.unplanned / readsPerTask);
    const step = 1 - (1 - this.rng.float()) ** (1 / tasksLeft);
    this.loadPosition += (1 - this.loadPosition) * step;
    return this.load.timeAt(this.loadPosition);
  }

  private runFor(user: number, start: number): Task {
    const site = this.community.pickSite(user, this.rng);
    const last = this.lastTask[user];
    if (last && this.rng.chance(this.settings.rerunProbability)) {
      return { ...last, next: start, done: 0, site };
    }
    const dataset = this.pickDataset(user, start);
    const task: Task = { next: start, gap: 0, dataset, first: 0, count: 0, stride: 1, done: 0, site, user };
    this.shape(task);
    return task;
  }

  private pickDataset(user: number, t: number): number {
    const known = this.recentCount[user];
    if (known > 0 && this.rng.chance(this.settings.affinity)) {
      return this.recent[user * RECENT_DATASETS + this.rng.int(Math.min(known, RECENT_DATASETS))];
    }
    return this.popularity.pick(t, this.rng);
  }

  /** Chooses which files of the dataset the task reads and in what order. */
  private shape(task: Task): void {
    const files = this.catalog.fileCount[task.dataset];
    const kind = this.rng.float();
    if (kind < TEST_TASK_SHARE) {
      task.count = Math.min(files, 1 + this.rng.int(TEST_TASK_MAX_FILES));
    } else if (kind < TEST_TASK_SHARE + WHOLE_DATASET_SHARE) {
      task.count = files;
    } else {
      task.count = Math.max(1, Math.round(files * this.rng.float() ** 2));
      task.first = this.rng.int(files - task.count + 1);
    }
    if (task.count > 2 && !this.rng.chance(IN_ORDER_SHARE)) task.stride = coprimeStride(task.count, this.rng);
  }

  private duration(): number {
    const drawn = this.rng.lognormal(TASK_DURATION_MEDIAN, TASK_DURATION_SIGMA);
    return Math.min(TASK_DURATION_MAX, Math.max(TASK_DURATION_MIN, drawn));
  }

  private remember(task: Task): void {
    const user = task.user;
    const known = this.recentCount[user];
    if (this.lastTask[user]?.dataset !== task.dataset) {
      this.recent[user * RECENT_DATASETS + (known % RECENT_DATASETS)] = task.dataset;
      this.recentCount[user] = known + 1;
    }
    this.lastTask[user] = task;
  }
}

/** Reads per task if datasets were drawn uniformly: the starting guess of the arrival rate. */
function guessReadsPerTask(catalog: Catalog): number {
  const partialShare = 1 - TEST_TASK_SHARE - WHOLE_DATASET_SHARE;
  const files = catalog.meanFiles();
  return TEST_TASK_SHARE * 3 + WHOLE_DATASET_SHARE * files + (partialShare * files) / 3;
}

/** A random step coprime with `count`, so that stepping by it visits every file once. */
function coprimeStride(count: number, rng: Random): number {
  let stride = 1 + rng.int(count - 1);
  while (gcd(stride, count) !== 1) stride--;
  return stride;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
