/**
 * Request history for the XCache hint endpoint: the incremental feature state of
 * src/learn/feature-state.ts, the one the batch features and cache nodes run, over file and
 * dataset names. The service tracks at most `capacity` files (and a hundredth as many
 * datasets), least recently requested forgotten first; a tracked file's features are exact.
 * User names are kept for the life of the service (distinct_users counts them exactly).
 * A feature that needs an input the request lacks is reported, never silently zero.
 */
import { FeatureState } from '../learn/feature-state.js';
import { FEATURE_NAMES } from '../prep/schema.js';

/** One request as the hint endpoint sees it. */
export interface HintRequest {
  lfn: string;
  /** seconds since the epoch */
  time: number;
  size?: number;
  user?: string;
  dataset?: string;
  /** the cache's own count of earlier accesses, when it sends one */
  naccess?: number;
}

/** The request parameter each feature needs, when it needs one. */
const NEEDS: Readonly<Record<string, 'size' | 'user' | 'dataset'>> = {
  log_size: 'size',
  distinct_users: 'user',
  dataset_count_1d: 'dataset',
};
const COUNT_EVER = FEATURE_NAMES.indexOf('count_ever');

/** The request lacks what some of the model's features need, or the service cannot compute them. */
/** The prep features a request's parameters let the hint state compute. */
export function computableFeatures(request: HintRequest): string[] {
  return FEATURE_NAMES.filter((f) => NEEDS[f] === undefined || request[NEEDS[f]] !== undefined);
}

export class UncomputableFeaturesError extends Error {
  constructor(
    readonly model: string,
    readonly features: string[],
    reason: string,
  ) {
    super(`model ${model} needs ${features.join(', ')}: ${reason}`);
    this.name = 'UncomputableFeaturesError';
  }
}

/** Names to dense ids, at most `capacity`, least recently used dropped (and its id reused) first. */
class IdLru {
  private readonly ids = new Map<string, number>();
  private readonly free: number[] = [];

  constructor(
    private readonly capacity: number,
    /** ids start here (0 may mean "none") */
    private readonly firstId: number,
    private readonly onDrop: (id: number) => void,
  ) {}

  peek(name: string): number | undefined {
    return this.ids.get(name);
  }

  /** The id `touch` gives a name not tracked yet: one no tracked name holds. */
  nextId(): number {
    return this.free.at(-1) ?? this.firstId + this.ids.size;
  }

  /** The name's id, now the most recently used. */
  touch(name: string): number {
    let id = this.ids.get(name);
    if (id !== undefined) this.ids.delete(name);
    else id = this.free.pop() ?? this.firstId + this.ids.size;
    this.ids.set(name, id);
    if (this.ids.size > this.capacity) {
      const [oldest, dropped] = this.ids.entries().next().value!;
      this.ids.delete(oldest);
      this.onDrop(dropped);
      this.free.push(dropped);
    }
    return id;
  }

  get size(): number {
    return this.ids.size;
  }
}

export class RequestStats {
  private readonly state = new FeatureState({ users: true, datasets: true });
  private readonly files: IdLru;
  private readonly datasets: IdLru;
  private readonly users = new Map<string, number>();
  private readonly row = new Float64Array(FEATURE_NAMES.length);

  constructor(capacity: number) {
    this.files = new IdLru(capacity, 0, (id) => this.state.forgetFile(id));
    this.datasets = new IdLru(Math.max(1, Math.ceil(capacity / 100)), 1, (id) =>
      this.state.forgetDataset(id),
    );
  }

  get trackedFiles(): number {
    return this.files.size;
  }

  /**
   * The raw feature row for `features` as of this request (NULL values replaced by
   * `fallback`, the model's means), and `record`, which records the request. Nothing changes
   * until `record` is called: a request refused here (missing inputs, a time before its file's
   * or dataset's last) or by its caller (the model's answer) leaves no trace.
   */
  prepare(
    model: string,
    features: readonly string[],
    fallback: readonly number[],
    request: HintRequest,
  ): { row: Float32Array; record: () => void } {
    const unknown = features.filter((f) => !FEATURE_NAMES.includes(f));
    if (unknown.length > 0) {
      throw new UncomputableFeaturesError(model, unknown, 'the hint endpoint computes prep features only');
    }
    const lacking = features.filter((f) => NEEDS[f] !== undefined && request[NEEDS[f]] === undefined);
    if (lacking.length > 0) {
      const params = [...new Set(lacking.map((f) => NEEDS[f]))].join(', ');
      throw new UncomputableFeaturesError(model, lacking, `add the query parameter(s) ${params}`);
    }
    const { lfn, time, dataset: datasetName, user: userName } = request;
    const file = this.files.peek(lfn) ?? this.files.nextId();
    const dataset =
      datasetName === undefined ? 0 : (this.datasets.peek(datasetName) ?? this.datasets.nextId());
    const user = this.userId(userName);
    const raw = this.row;
    this.state.features(file, time, request.size ?? 0, user, dataset, raw, 0);
    raw[COUNT_EVER] = Math.max(raw[COUNT_EVER], request.naccess ?? 0);
    const row = Float32Array.from(features, (f, i) => {
      const value = raw[FEATURE_NAMES.indexOf(f)];
      return Number.isNaN(value) ? fallback[i] : value;
    });
    const record = () => {
      if (userName && !this.users.has(userName)) this.users.set(userName, user);
      const tracked = this.files.touch(lfn);
      const datasetId = datasetName === undefined ? 0 : this.datasets.touch(datasetName);
      this.state.record(tracked, time, user, datasetId);
    };
    return { row, record };
  }

  /** A user's id, 0 for none; a user not seen yet gets the id it will be recorded with. */
  private userId(user: string | undefined): number {
    if (user === undefined || user === '') return 0;
    return this.users.get(user) ?? this.users.size + 1;
  }
}
