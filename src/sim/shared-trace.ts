/**
 * Moving a trace to worker threads without copying it per worker: columns are copied
 * once into SharedArrayBuffers and every worker views the same memory.
 */
import type { DictColumn, ObjectKeys, Trace } from '../trace/model.js';

export interface SharedTrace {
  length: number;
  objectCount: number;
  time: Float64Array;
  obj: Uint32Array;
  size: Float64Array;
  bytesRead?: Float64Array;
  nextAccess?: Float64Array;
  site?: DictColumn;
  user?: DictColumn;
  dataset?: DictColumn;
  op?: DictColumn;
}

function share<T extends Float64Array | Uint32Array>(arr: T): T {
  const Ctor = arr.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(arr.byteLength));
  out.set(arr);
  return out;
}

function shareDict(col: DictColumn | undefined): DictColumn | undefined {
  return col && { codes: share(col.codes), values: col.values };
}

export function toSharedTrace(t: Trace): SharedTrace {
  return {
    length: t.length,
    objectCount: t.objectCount,
    time: share(t.time),
    obj: share(t.obj),
    size: share(t.size),
    bytesRead: t.bytesRead && share(t.bytesRead),
    nextAccess: t.nextAccess && share(t.nextAccess),
    site: shareDict(t.site),
    user: shareDict(t.user),
    dataset: shareDict(t.dataset),
    op: shareDict(t.op),
  };
}

/** Object keys stay in the main thread; policies only use dense indices. */
class IndexKeys implements ObjectKeys {
  constructor(readonly count: number) {}
  key(obj: number): number {
    return obj;
  }
}

export function fromSharedTrace(s: SharedTrace): Trace {
  return { ...s, keys: new IndexKeys(s.objectCount) };
}
