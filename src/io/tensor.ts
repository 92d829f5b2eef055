// TensorData: the plain, contiguous, row-major tensor every checkpoint reader in src/io returns,
// plus the byte <-> typed-array helpers they share. Data is little-endian, as in all the formats read.
import { CheckpointError } from '../errors.js';

/** Element types a checkpoint tensor may have. */
export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/**
 * The typed array holding a tensor's values: float16 and bfloat16 keep their raw 16-bit patterns
 * in a Uint16Array (see toFloat32), bool is a Uint8Array of 0/1.
 */
export type TensorArray = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** A tensor: element type, shape, and its values contiguous in row-major (C) order. */
export interface TensorData {
  dtype: DType;
  shape: number[];
  data: TensorArray;
}

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = Object.freeze({
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
});

/** True on little-endian hosts (all current browsers and Node platforms); typed arrays use host order. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Number of elements of a shape (1 for a scalar's empty shape).
 * @example numelOf([2, 3]) // 6
 */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * True when `v` looks like a TensorData (dtype, shape array, typed-array data).
 * @example if (isTensorData(x)) console.log(x.shape);
 */
export function isTensorData(v: unknown): v is TensorData {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<TensorData>;
  return typeof t.dtype === 'string' && Object.hasOwn(DTYPE_BYTES, t.dtype) && Array.isArray(t.shape) && ArrayBuffer.isView(t.data);
}

/**
 * An empty typed array of the right class for `dtype`.
 * @example allocTensorArray('float32', 4) // Float32Array(4)
 */
export function allocTensorArray(dtype: DType, count: number): TensorArray {
  switch (dtype) {
    case 'float32': return new Float32Array(count);
    case 'float64': return new Float64Array(count);
    case 'float16': case 'bfloat16': return new Uint16Array(count);
    case 'int64': return new BigInt64Array(count);
    case 'int32': return new Int32Array(count);
    case 'int16': return new Int16Array(count);
    case 'int8': return new Int8Array(count);
    case 'uint8': case 'bool': return new Uint8Array(count);
  }
}

/**
 * Copies `count` little-endian elements from `bytes` into a new aligned typed array.
 * @example typedArrayFromBytes('float32', bytes.subarray(8), 16)
 */
export function typedArrayFromBytes(dtype: DType, bytes: Uint8Array, count: number): TensorArray {
  if (!HOST_IS_LITTLE_ENDIAN) throw new CheckpointError('stylelab reads checkpoints only on little-endian hosts');
  const nbytes = count * DTYPE_BYTES[dtype];
  if (nbytes > bytes.length) {
    throw new CheckpointError(`truncated checkpoint: ${count} ${dtype} values need ${nbytes} bytes but only ${bytes.length} are there`);
  }
  const out = allocTensorArray(dtype, count);
  new Uint8Array(out.buffer, out.byteOffset, nbytes).set(bytes.subarray(0, nbytes));
  return out;
}

/**
 * The raw little-endian bytes of a tensor's data (a view, not a copy).
 * @example const raw = tensorBytes(t); // raw.length === numel * 4 for float32
 */
export function tensorBytes(t: TensorData): Uint8Array {
  if (!HOST_IS_LITTLE_ENDIAN) throw new CheckpointError('stylelab writes tensors only on little-endian hosts');
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/**
 * Gathers a strided view (PyTorch size / stride / storage offset, in elements) of `src` into a
 * new contiguous row-major array. The caller has checked that every index is inside `src`.
 * @example gatherStrided(src, [3, 2], [1, 3], 0) // transpose of a contiguous [2, 3]
 */
export function gatherStrided(src: TensorArray, shape: readonly number[], stride: readonly number[], offset: number): TensorArray {
  const n = numelOf(shape);
  if (isContiguous(shape, stride)) return src.slice(offset, offset + n) as TensorArray;
  const out = new (src.constructor as new (count: number) => TensorArray)(n);
  if (n === 0) return out;
  const o = out as unknown as { [k: number]: number | bigint };
  const from = src as unknown as { readonly [k: number]: number | bigint };
  const rank = shape.length;
  const inner = shape[rank - 1]!;
  const innerStride = stride[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  let at = offset;
  for (let i = 0; i < n; i += inner) {
    // One run along the last axis, then advance the other axes like an odometer.
    for (let j = 0, p = at; j < inner; j++, p += innerStride) o[i + j] = from[p]!;
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) {
        at += stride[d]!;
        break;
      }
      at -= stride[d]! * (shape[d]! - 1);
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Largest storage index a strided view touches, or -1 for an empty view.
 * @example maxStridedIndex([2, 3], [3, 1], 4) // 9
 */
export function maxStridedIndex(shape: readonly number[], stride: readonly number[], offset: number): number {
  let last = offset;
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 0) return -1;
    last += (shape[d]! - 1) * stride[d]!;
  }
  return last;
}

/**
 * True when `stride` is the row-major stride of `shape` (size-1 dims may have any stride).
 * @example isContiguous([2, 3], [3, 1]) // true
 */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expect) return false;
    expect *= shape[d]!;
  }
  return true;
}

/**
 * Converts an IEEE half-precision bit pattern to its exact value.
 * @example halfToNumber(0x3c00) // 1
 */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/**
 * The tensor's values as float32 (float16 and bfloat16 converted exactly, ints and bools by value).
 * Returns `t.data` itself, not a copy, when the tensor is already float32.
 * @example const w = toFloat32(stateDict.get('mapping.fc0.weight')!);
 */
export function toFloat32(t: TensorData): Float32Array {
  const src = t.data;
  if (t.dtype === 'float32') return src as Float32Array;
  const out = new Float32Array(src.length);
  if (t.dtype === 'bfloat16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < src.length; i++) bits[i] = (src[i] as number) << 16;
  } else if (t.dtype === 'float16') {
    for (let i = 0; i < src.length; i++) out[i] = halfToNumber(src[i] as number);
  } else {
    for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  }
  return out;
}

/**
 * Checks that `data` has one element per entry of `shape` and builds a TensorData.
 * @example makeTensor('float32', [2], new Float32Array([1, 2]))
 */
export function makeTensor(dtype: DType, shape: number[], data: TensorArray): TensorData {
  if (numelOf(shape) !== data.length) {
    throw new CheckpointError(`corrupt tensor: shape [${shape.join(', ')}] needs ${numelOf(shape)} values but ${data.length} were given`);
  }
  return { dtype, shape, data };
}

/**
 * numpy's `t[flips reversed].transpose(perm)` as a new contiguous tensor: axis d of the result is axis perm[d]
 * of `t`, read backwards when that input axis is in `flipAxes`.
 * @example permuteTensor(w, [3, 2, 0, 1], [0, 1]) // TF conv [kh, kw, in, out], kernel flipped -> [out, in, kh, kw]
 */
export function permuteTensor(t: TensorData, perm: readonly number[], flipAxes: readonly number[] = []): TensorData {
  const rank = t.shape.length;
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((v, i) => v !== i)) throw new CheckpointError(`cannot permute a rank-${rank} tensor by [${perm.join(', ')}]`);
  const inStride: number[] = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    inStride[d] = s;
    s *= t.shape[d]!;
  }
  let offset = 0;
  const flip = new Set(flipAxes);
  for (const a of flip) offset += (t.shape[a]! - 1) * inStride[a]!;
  const shape = perm.map((a) => t.shape[a]!);
  const stride = perm.map((a) => (flip.has(a) ? -inStride[a]! : inStride[a]!));
  return { dtype: t.dtype, shape, data: numelOf(shape) === 0 ? t.data.slice(0, 0) as TensorArray : gatherStrided(t.data, shape, stride, offset) };
}
