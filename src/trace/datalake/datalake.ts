/**
 * The `datalake` workload: CMS-like analysis tasks over a drifting catalogue of
 * datasets, interleaved in time order straight into a columnar trace.
 */

import { Random } from '../../common/random.js';
import { TraceBuilder } from '../builder.js';
import type { ObjectKeys, Trace } from '../model.js';
import { Catalog, type CatalogSettings } from './catalog.js';
import { Community, type SiteSpec } from './community.js';
import { fileName } from './names.js';
import { type Task, TaskPlanner, type TaskSettings } from './tasks.js';

export interface DatalakeSettings extends CatalogSettings, TaskSettings {
  seed: number;
  sites: readonly SiteSpec[];
}

export function generateDatalake(settings: DatalakeSettings): Trace {
  const rng = new Random(settings.seed);
  const catalog = new Catalog(settings, rng);
  const community = new Community(settings.sites, settings.users, rng);
  const planner = new TaskPlanner(settings, catalog, community, rng);
  const files = new ReadFiles(catalog, Math.min(settings.requests, catalog.totalFiles));
  const builder = new TraceBuilder(files, settings.requests);
  const siteCode = community.siteNames.map((name) => builder.stringCode('site', name));
  const userCode = community.userNames.map((name) => builder.stringCode('user', name));
  const datasetCode = catalog.names.map((name) => builder.stringCode('dataset', name));
  // Integer seconds, like the CMS records; the last read of a task may not pass the span.
  const lastInstant = settings.start + settings.span - 1e-3;
  const running = new TaskHeap();
  let waiting = planner.next();
  while (waiting || running.size > 0) {
    if (waiting && (running.size === 0 || waiting.next <= running.top().next)) {
      running.push(waiting);
      waiting = planner.next();
      continue;
    }
    const task = running.top();
    const obj = files.object(task.dataset, task.first + ((task.done * task.stride) % task.count));
    const i = builder.add(Math.floor(task.next), obj, files.size[obj]);
    builder.setCode('site', i, siteCode[task.site]);
    builder.setCode('user', i, userCode[task.user]);
    builder.setCode('dataset', i, datasetCode[task.dataset]);
    if (++task.done === task.count) {
      running.pop();
    } else {
      task.next = Math.min(lastInstant, task.next + task.gap * rng.exponential());
      running.topChanged();
    }
  }
  return builder.finish();
}

/**
 * The catalogue files read so far, as trace objects numbered in order of first read.
 * Keys (logical file names) are made on demand, so a trace of millions of files holds
 * no strings for them.
 */
class ReadFiles implements ObjectKeys {
  count = 0;
  readonly size: Float64Array;
  private readonly objectOf: Int32Array;
  private readonly datasetOf: Int32Array;
  private readonly indexOf: Int32Array;

  constructor(
    private readonly catalog: Catalog,
    maxObjects: number,
  ) {
    this.objectOf = new Int32Array(catalog.totalFiles).fill(-1);
    this.size = new Float64Array(maxObjects);
    this.datasetOf = new Int32Array(maxObjects);
    this.indexOf = new Int32Array(maxObjects);
  }

  /** The object of file `index` of dataset `d`, numbering it on its first read. */
  object(d: number, index: number): number {
    const file = this.catalog.firstFile[d] + index;
    let obj = this.objectOf[file];
    if (obj < 0) {
      obj = this.count++;
      this.objectOf[file] = obj;
      this.datasetOf[obj] = d;
      this.indexOf[obj] = index;
      this.size[obj] = this.catalog.fileSize(d, index);
    }
    return obj;
  }

  key(obj: number): string {
    const d = this.datasetOf[obj];
    const file = this.catalog.firstFile[d] + this.indexOf[obj];
    return this.catalog.directories[d] + fileName(file, this.catalog.salt);
  }
}

/** Binary min-heap of running tasks by the time of their next read. */
class TaskHeap {
  private readonly items: Task[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): Task {
    return this.items[0];
  }

  push(task: Task): void {
    const items = this.items;
    let i = items.push(task) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent].next <= task.next) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = task;
  }

  pop(): void {
    const last = this.items.pop() as Task;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.topChanged();
    }
  }

  /** Restores heap order after the top task's time moved later. */
  topChanged(): void {
    const items = this.items;
    const n = items.length;
    const task = items[0];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && items[child + 1].next < items[child].next) child++;
      if (items[child].next >= task.next) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = task;
  }
}
