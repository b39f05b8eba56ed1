/**
 * A batch forward pass for dense MLPs compiled to WebAssembly SIMD at load time, two units per
 * 128-bit lane pair. It does in f64x2 exactly the operations the typed-array forward pass
 * (infer.ts) does in doubles, in the same order (bias, then input by input a product and a
 * sum; ReLU as `v < 0 ? 0 : v`), so both give the same bits and the same decisions; the wasm
 * one does two units per instruction and skips the bounds checks of the typed arrays.
 *
 * The module is made for one model: weights and biases live in its memory, every layer's input
 * loop is unrolled, and the hidden activations are ReLU or linear (any other keeps the model on
 * the typed-array pass). The last layer's activation is applied by the caller.
 */

/** Rows run per call into the module: its input and output blocks hold this many. */
export const WASM_BLOCK_ROWS = 1024;
/** Widest layer input unrolled into the module; wider models keep the typed-array pass. */
const MAX_UNROLLED_INPUTS = 512;

export interface WasmLayer {
  inputs: number;
  units: number;
  /** [inputs][units] row-major, as tfjs holds a Dense kernel */
  kernel: Float32Array;
  bias: Float32Array | Float64Array;
  /** a hidden layer's must be relu or linear; the last layer's is left to the caller */
  activation: string;
}

export interface WasmDense {
  readonly inputs: number;
  /** units of the last layer */
  readonly outputs: number;
  /**
   * Runs up to WASM_BLOCK_ROWS rows of `x` from row `first` and returns the last layer's
   * pre-activations, `rows x outputsPadded` doubles (a view into the module's memory, valid
   * until the next call).
   */
  run(x: Float32Array, first: number, rows: number): Float64Array;
  /** row stride of what `run` returns: outputs rounded up to a pair */
  readonly outputsPadded: number;
}

/** The slice of the WebAssembly JS API used here: Node has it, the ES library typings do not declare it. */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

const I32 = 0x7f;
const V128 = 0x7b;

const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  f32Load: 0x2a,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  f64PromoteF32: 0xbb,
} as const;

const SIMD = {
  load: 0x00,
  load64Splat: 0x0a,
  store: 0x0b,
  const: 0x0c,
  f64x2Splat: 0x14,
  f64x2Lt: 0x49,
  bitselect: 0x52,
  f64x2Add: 0xf0,
  f64x2Mul: 0xf2,
} as const;

function unsignedLeb(value: number, out: number[]): void {
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
}

function signedLeb(value: number, out: number[]): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** One function body's instructions. */
class Code {
  readonly bytes: number[] = [];

  op(code: number): this {
    this.bytes.push(code);
    return this;
  }
  local(code: number, index: number): this {
    this.bytes.push(code);
    unsignedLeb(index, this.bytes);
    return this;
  }
  i32(value: number): this {
    this.bytes.push(OP.i32Const);
    signedLeb(value, this.bytes);
    return this;
  }
  /** a memory access with its alignment (log2 bytes) and constant offset */
  mem(code: number, align: number, offset: number): this {
    this.bytes.push(code);
    unsignedLeb(align, this.bytes);
    unsignedLeb(offset, this.bytes);
    return this;
  }
  simd(code: number): this {
    this.bytes.push(0xfd);
    unsignedLeb(code, this.bytes);
    return this;
  }
  simdMem(code: number, align: number, offset: number): this {
    this.simd(code);
    unsignedLeb(align, this.bytes);
    unsignedLeb(offset, this.bytes);
    return this;
  }
  zeroV128(): this {
    this.simd(SIMD.const);
    for (let i = 0; i < 16; i++) this.bytes.push(0);
    return this;
  }
}

interface Layout {
  /** per layer: byte address of its pair-major weights and of its biases */
  weights: number[];
  biases: number[];
  /** two scratch rows of hidden activations */
  scratch: [number, number];
  input: number;
  output: number;
  bytes: number;
}

const pairs = (units: number) => Math.ceil(units / 2);

function layout(layers: readonly WasmLayer[]): Layout {
  let at = 0;
  const weights: number[] = [];
  const biases: number[] = [];
  for (const layer of layers) {
    weights.push(at);
    at += layer.inputs * pairs(layer.units) * 16;
    biases.push(at);
    at += pairs(layer.units) * 16;
  }
  const widest = Math.max(...layers.map((l) => pairs(l.units) * 16));
  const scratch: [number, number] = [at, at + widest];
  at += 2 * widest;
  const input = at;
  at += WASM_BLOCK_ROWS * layers[0].inputs * 4;
  at = Math.ceil(at / 16) * 16;
  const output = at;
  at += WASM_BLOCK_ROWS * pairs(layers[layers.length - 1].units) * 16;
  return { weights, biases, scratch, input, output, bytes: at };
}

/** Locals of the row function: 0 rows (param); i32 row, input and output addresses; v128 accumulators, x, zero. */
const L_ROWS = 0;
const L_ROW = 1;
const L_IN = 2;
const L_OUT = 3;
/** unit pairs computed together, sharing each input's splat */
const PAIRS_PER_PASS = 4;
const L_ACC = 4;
const L_X = L_ACC + PAIRS_PER_PASS;
const L_ZERO = L_X + 1;
const V128_LOCALS = PAIRS_PER_PASS + 2;

/** Pushes input k of the current row, in both lanes. */
function emitInput(code: Code, from: number, k: number): void {
  if (from < 0)
    code
      .local(OP.localGet, L_IN)
      .mem(OP.f32Load, 2, k * 4)
      .op(OP.f64PromoteF32)
      .simd(SIMD.f64x2Splat);
  else code.i32(0).simdMem(SIMD.load64Splat, 3, from + k * 8);
}

/** One layer for the current row: reads `from` (-1: the row's f32 input; else a scratch row of doubles), writes the next scratch row or the output. */
function emitLayer(code: Code, layer: WasmLayer, at: Layout, index: number, last: boolean): void {
  const from = index === 0 ? -1 : at.scratch[(index - 1) % 2];
  const to = at.scratch[index % 2];
  const relu = !last && layer.activation === 'relu';
  const total = pairs(layer.units);
  for (let first = 0; first < total; first += PAIRS_PER_PASS) {
    const count = Math.min(PAIRS_PER_PASS, total - first);
    for (let q = 0; q < count; q++) {
      code
        .i32(0)
        .simdMem(SIMD.load, 4, at.biases[index] + (first + q) * 16)
        .local(OP.localSet, L_ACC + q);
    }
    for (let k = 0; k < layer.inputs; k++) {
      emitInput(code, from, k);
      code.local(OP.localSet, L_X);
      for (let q = 0; q < count; q++) {
        const weight = at.weights[index] + ((first + q) * layer.inputs + k) * 16;
        code.local(OP.localGet, L_ACC + q).local(OP.localGet, L_X);
        code.i32(0).simdMem(SIMD.load, 4, weight).simd(SIMD.f64x2Mul).simd(SIMD.f64x2Add);
        code.local(OP.localSet, L_ACC + q);
      }
    }
    for (let q = 0; q < count; q++) {
      const acc = L_ACC + q;
      if (last) code.local(OP.localGet, L_OUT);
      else code.i32(0);
      // bitselect(zero, v, v < 0) is exactly `v < 0 ? 0 : v`: -0 and NaN are kept as they are
      if (relu) {
        code.local(OP.localGet, L_ZERO).local(OP.localGet, acc);
        code.local(OP.localGet, acc).local(OP.localGet, L_ZERO).simd(SIMD.f64x2Lt).simd(SIMD.bitselect);
      } else code.local(OP.localGet, acc);
      code.simdMem(SIMD.store, 4, last ? (first + q) * 16 : to + (first + q) * 16);
    }
  }
}

/** run(rows): every row from the input block through all layers into the output block. */
function rowFunction(layers: readonly WasmLayer[], at: Layout): number[] {
  const code = new Code();
  const inStride = layers[0].inputs * 4;
  const outStride = pairs(layers[layers.length - 1].units) * 16;
  code.zeroV128().local(OP.localSet, L_ZERO);
  code.i32(at.input).local(OP.localSet, L_IN).i32(at.output).local(OP.localSet, L_OUT);
  code.op(OP.block).op(0x40).op(OP.loop).op(0x40);
  code.local(OP.localGet, L_ROW).local(OP.localGet, L_ROWS).op(OP.i32GeU).local(OP.brIf, 1);
  for (let i = 0; i < layers.length; i++) emitLayer(code, layers[i], at, i, i === layers.length - 1);
  code.local(OP.localGet, L_IN).i32(inStride).op(OP.i32Add).local(OP.localSet, L_IN);
  code.local(OP.localGet, L_OUT).i32(outStride).op(OP.i32Add).local(OP.localSet, L_OUT);
  code.local(OP.localGet, L_ROW).i32(1).op(OP.i32Add).local(OP.localSet, L_ROW);
  code.local(OP.br, 0).op(OP.end).op(OP.end).op(OP.end);
  const body: number[] = [];
  body.push(2, 3, I32, V128_LOCALS, V128, ...code.bytes);
  const sized: number[] = [];
  unsignedLeb(body.length, sized);
  return [...sized, ...body];
}

function section(id: number, content: number[]): number[] {
  const size: number[] = [];
  unsignedLeb(content.length, size);
  return [id, ...size, ...content];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [bytes.length, ...bytes];
}

function moduleBytes(layers: readonly WasmLayer[], at: Layout): Uint8Array {
  const pages = Math.ceil(at.bytes / 65536);
  const memoryLimits: number[] = [0x00];
  unsignedLeb(pages, memoryLimits);
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 1, I32, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, ...memoryLimits]),
    ...section(7, [2, ...name('run'), 0x00, 0, ...name('memory'), 0x02, 0]),
    ...section(10, [1, ...rowFunction(layers, at)]),
  ]);
}

/** Writes each layer's weights pair-major ([pair][input][2 units]) and its biases, the odd unit's partner zero. */
function fillWeights(memory: ArrayBuffer, layers: readonly WasmLayer[], at: Layout): void {
  const doubles = new Float64Array(memory);
  layers.forEach((layer, i) => {
    const { inputs, units, kernel, bias } = layer;
    for (let p = 0; p < pairs(units); p++) {
      for (let k = 0; k < inputs; k++) {
        const w = (at.weights[i] + (p * inputs + k) * 16) / 8;
        doubles[w] = kernel[k * units + 2 * p];
        doubles[w + 1] = 2 * p + 1 < units ? kernel[k * units + 2 * p + 1] : 0;
      }
    }
    for (let j = 0; j < units; j++) doubles[at.biases[i] / 8 + j] = bias[j];
  });
}

/** The compiled forward pass, or undefined when the model does not fit it (hidden activations other than ReLU/linear, very wide inputs). */
export function compileWasmDense(layers: readonly WasmLayer[]): WasmDense | undefined {
  const hidden = layers.slice(0, -1);
  if (layers.length === 0 || hidden.some((l) => l.activation !== 'relu' && l.activation !== 'linear'))
    return undefined;
  if (layers.some((l) => l.inputs > MAX_UNROLLED_INPUTS)) return undefined;
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) return undefined;
  const at = layout(layers);
  const bytes = moduleBytes(layers, at);
  if (!api.validate(bytes)) return undefined;
  const { exports } = new api.Instance(new api.Module(bytes));
  const memory = exports.memory as { buffer: ArrayBuffer };
  const runRows = exports.run as (rows: number) => void;
  fillWeights(memory.buffer, layers, at);
  const inputs = layers[0].inputs;
  const outputs = layers[layers.length - 1].units;
  const outputsPadded = pairs(outputs) * 2;
  const input = new Float32Array(memory.buffer, at.input, WASM_BLOCK_ROWS * inputs);
  const output = new Float64Array(memory.buffer, at.output, WASM_BLOCK_ROWS * outputsPadded);
  return {
    inputs,
    outputs,
    outputsPadded,
    run(x, first, rows) {
      input.set(x.subarray(first * inputs, (first + rows) * inputs));
      runRows(rows);
      return output;
    },
  };
}
