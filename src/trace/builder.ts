/**
 * Builds a columnar Trace from requests appended one at a time by a streaming reader.
 * Columns grow by doubling; optional columns are allocated when first set.
 */
import { grown } from '../common/typed-arrays.js';
import { NumericKeyInterner, TextKeyInterner } from './keys.js';
import { type DictColumn, type ObjectKeys, type Request, rememberUniqueBytes, type Trace } from './model.js';

type Growable = Float64Array | Uint32Array;

class DictBuilder {
  codes: Uint32Array;
  private readonly index = new Map<string, number>([['', 0]]);
  readonly values: string[] = [''];

  constructor(capacity: number) {
    this.codes = new Uint32Array(capacity);
  }

  code(value: string): number {
    let code = this.index.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.index.set(value, code);
    }
    return code;
  }

  finish(length: number): DictColumn {
    return { codes: trimmed(this.codes, length), values: this.values };
  }
}

export type StringField = 'site' | 'user' | 'dataset' | 'op';

export class TraceBuilder<K extends ObjectKeys = NumericKeyInterner | TextKeyInterner> {
  length = 0;
  private capacity: number;
  private time: Float64Array;
  private obj: Uint32Array;
  private size: Float64Array;
  private bytesRead?: Float64Array;
  private nextAccess?: Float64Array;
  private readonly dicts: Partial<Record<StringField, DictBuilder>> = {};
  /**
   * Objects first requested so far and their bytes, while objects arrive numbered in order of
   * first request (as the readers number them): the trace's unique bytes come with it, and a
   * short run skips the pass over the trace that would compute them.
   */
  private firstSeen = 0;
  private firstSeenBytes = 0;
  private firstSeenInOrder = true;

  constructor(
    readonly keys: K,
    initialCapacity = 1 << 16,
  ) {
    this.capacity = initialCapacity;
    this.time = new Float64Array(initialCapacity);
    this.obj = new Uint32Array(initialCapacity);
    this.size = new Float64Array(initialCapacity);
  }

  static numeric(initialCapacity?: number): TraceBuilder<NumericKeyInterner> {
    return new TraceBuilder(new NumericKeyInterner(), initialCapacity);
  }

  static text(initialCapacity?: number): TraceBuilder<TextKeyInterner> {
    return new TraceBuilder(new TextKeyInterner(), initialCapacity);
  }

  /** Appends a request for an already interned object; returns its index. */
  add(time: number, obj: number, size: number): number {
    if (this.length === this.capacity) this.growAll();
    const i = this.length++;
    this.time[i] = time;
    this.obj[i] = obj;
    this.size[i] = size;
    if (obj >= this.firstSeen) {
      if (obj === this.firstSeen) {
        this.firstSeen++;
        this.firstSeenBytes += size;
      } else {
        this.firstSeenInOrder = false;
      }
    }
    return i;
  }

  setString(field: StringField, i: number, value: string): void {
    const dict = this.dict(field);
    dict.codes[i] = dict.code(value);
  }

  /**
   * The code of `value` in a column's dictionary, added if new. Generators that know
   * their values up front store codes with setCode and skip a lookup per request.
   */
  stringCode(field: StringField, value: string): number {
    return this.dict(field).code(value);
  }

  /** Sets request i's column value by a code from stringCode. */
  setCode(field: StringField, i: number, code: number): void {
    this.dict(field).codes[i] = code;
  }

  setBytesRead(i: number, bytes: number): void {
    if (!this.bytesRead) this.bytesRead = new Float64Array(this.capacity).fill(Number.NaN);
    this.bytesRead[i] = bytes;
  }

  /** The dense object index of request i. */
  objectOf(i: number): number {
    return this.obj[i];
  }

  /** The next-access value set for request i. */
  nextAccessOf(i: number): number {
    return this.nextAccess ? this.nextAccess[i] : Number.NaN;
  }

  setNextAccess(i: number, next: number): void {
    if (!this.nextAccess) this.nextAccess = new Float64Array(this.capacity);
    this.nextAccess[i] = next;
  }

  /** Requests that have a slot, added or not: positions from `length` to here can be noted. */
  get slots(): number {
    return this.capacity;
  }

  /** Grows the slots to at least `n`. */
  reserve(n: number): void {
    while (this.capacity < n) this.growAll();
  }

  /**
   * Notes two numbers in the slot of a request not added yet (`length <= i < slots`), read back
   * by `noted`/`notedWord` until the request is added over them: a reader that learns about a
   * later request ahead of time (oracleGeneral's next-access links) keeps it there, in memory
   * the trace needs anyway. `a` must not be 0, which `noted` gives for a slot with no note.
   */
  note(i: number, a: number, b: number): void {
    this.obj[i] = a;
    this.size[i] = b;
  }

  noted(i: number): number {
    return this.obj[i];
  }

  notedWord(i: number): number {
    return this.size[i];
  }

  /** Appends a whole Request record (convenience for writers of generated data and tests). */
  push(req: Request): number {
    const obj = internKey(this.keys, req.key);
    const i = this.add(req.time, obj, req.size);
    if (req.site !== undefined) this.setString('site', i, req.site);
    if (req.user !== undefined) this.setString('user', i, req.user);
    if (req.dataset !== undefined) this.setString('dataset', i, req.dataset);
    if (req.op !== undefined) this.setString('op', i, req.op);
    if (req.bytesRead !== undefined) this.setBytesRead(i, req.bytesRead);
    if (req.nextAccess !== undefined) this.setNextAccess(i, req.nextAccess);
    return i;
  }

  /** The trace; hands over the columns, so add nothing after. */
  finish(): Trace {
    const n = this.length;
    const dict = (f: StringField) => this.dicts[f]?.finish(n);
    const bytesRead = this.bytesRead?.slice(0, n);
    if (bytesRead) {
      for (let i = 0; i < n; i++) if (Number.isNaN(bytesRead[i])) bytesRead[i] = this.size[i];
    }
    const trace: Trace = {
      length: n,
      time: trimmed(this.time, n),
      obj: trimmed(this.obj, n),
      size: trimmed(this.size, n),
      keys: this.keys,
      objectCount: this.keys.count,
      site: dict('site'),
      user: dict('user'),
      dataset: dict('dataset'),
      op: dict('op'),
      bytesRead,
      nextAccess: this.nextAccess && trimmed(this.nextAccess, n),
    };
    if (this.firstSeenInOrder && this.firstSeen === trace.objectCount)
      rememberUniqueBytes(trace, this.firstSeenBytes);
    return trace;
  }

  private dict(field: StringField): DictBuilder {
    let dict = this.dicts[field];
    if (!dict) {
      dict = new DictBuilder(this.capacity);
      this.dicts[field] = dict;
    }
    return dict;
  }

  private growAll(): void {
    const cap = this.capacity * 2;
    this.time = grown(this.time, cap);
    this.obj = grown(this.obj, cap);
    this.size = grown(this.size, cap);
    if (this.bytesRead) {
      const old = this.capacity;
      this.bytesRead = grown(this.bytesRead, cap);
      this.bytesRead.fill(Number.NaN, old);
    }
    if (this.nextAccess) this.nextAccess = grown(this.nextAccess, cap);
    for (const d of Object.values(this.dicts)) d.codes = grown(d.codes, cap);
    this.capacity = cap;
  }
}

/** The first n entries; the array itself when it holds exactly n, as when the length was known up front. */
function trimmed<T extends Growable>(arr: T, n: number): T {
  return arr.length === n ? arr : (arr.slice(0, n) as T);
}

function internKey(keys: ObjectKeys, key: Request['key']): number {
  if (keys instanceof TextKeyInterner) return keys.intern(String(key));
  if (!(keys instanceof NumericKeyInterner))
    throw new TypeError('this trace numbers its own objects; add requests by object index');
  if (typeof key === 'number') return keys.intern(key);
  if (typeof key === 'bigint') return keys.internWords(Number(key >> 32n), Number(key & 0xffffffffn));
  throw new TypeError(`numeric trace cannot hold text key ${JSON.stringify(key)}`);
}

/** Builds a trace from Request records (tests, generator). */
export function traceFromRequests(requests: Iterable<Request>, textKeys = false): Trace {
  const b = textKeys ? TraceBuilder.text() : TraceBuilder.numeric();
  for (const r of requests) b.push(r);
  return b.finish();
}
