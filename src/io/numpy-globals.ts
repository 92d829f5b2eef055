// Allow-list handlers for the NumPy objects StyleGAN snapshots pickle: dtypes, scalars
// (numpy.core.multiarray.scalar) and arrays (_reconstruct + ndarray BUILD state), as plain TS values.
import { CheckpointError } from '../errors.js';
import { type DType, type TensorArray, type TensorData, gatherStrided, halfToNumber, numelOf, typedArrayFromBytes } from './tensor.js';
import {
  type GlobalConstant, type GlobalHandler, type GlobalTable, SETSTATE, describeValue, expectIndex, expectSequence, expectString,
} from './pickle-values.js';

/** NumPy kind + item size -> our dtype, for the array dtypes TensorData can hold. */
const ARRAY_DTYPES: Readonly<Record<string, DType>> = Object.freeze({
  f2: 'float16', f4: 'float32', f8: 'float64', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64', u1: 'uint8', b1: 'bool',
});

/**
 * A `numpy.dtype`: kind letter, item size and byte order (set by its BUILD state).
 * @example new NumpyDtype('f8').arrayDtype() // 'float64'
 */
export class NumpyDtype {
  /** '<' little, '>' big, '|' not applicable, '=' native (little on every host we run on). */
  byteorder = '=';
  readonly kind: string;
  readonly itemsize: number;

  constructor(spec: string) {
    const m = /^([fiub])(\d+)$/.exec(spec);
    if (!m) throw new CheckpointError(`unsupported NumPy dtype '${spec}' in checkpoint (stylelab reads bool, int, uint and float)`);
    this.kind = m[1]!;
    this.itemsize = Number(m[2]);
    if (![1, 2, 4, 8].includes(this.itemsize) || (this.kind === 'f' && this.itemsize === 1)) {
      throw new CheckpointError(`unsupported NumPy dtype '${spec}' in checkpoint`);
    }
  }

  /** BUILD state: (version, byteorder, subarray, names, fields, elsize, alignment, flags). */
  [SETSTATE](state: unknown): void {
    const items = expectSequence(state, 'numpy dtype state');
    const versioned = typeof items[0] === 'number';
    this.byteorder = expectString(versioned ? items[1] : items[0], 'numpy dtype byte order');
    if (versioned && items.length >= 8 && (items[3] !== null || items[4] !== null)) {
      throw new CheckpointError('unsupported NumPy structured dtype in checkpoint');
    }
  }

  /** True when multi-byte items are stored big-endian. */
  get bigEndian(): boolean {
    return this.byteorder === '>' && this.itemsize > 1;
  }

  /** The TensorData dtype for arrays of this dtype. */
  arrayDtype(): DType {
    const d = ARRAY_DTYPES[this.kind + this.itemsize];
    if (d === undefined) throw new CheckpointError(`unsupported NumPy array dtype '${this.kind}${this.itemsize}' in checkpoint`);
    return d;
  }
}

/** Marker for the `numpy.ndarray` class, which only appears as an argument of `_reconstruct`. */
export const NDARRAY_CLASS: unique symbol = Symbol('numpy.ndarray');

/**
 * A NumPy array under construction: `_reconstruct` makes it empty and its BUILD state fills it.
 * After BUILD it is a complete TensorData (C order).
 * @example const a = new NumpyArray(); a[SETSTATE](state); a.shape // e.g. [2]
 */
export class NumpyArray implements TensorData {
  dtype: DType = 'float64';
  shape: number[] = [0];
  data: TensorArray = new Float64Array(0);

  /** BUILD state: (version, shape, dtype, is_fortran, rawdata) or, in old files, without version. */
  [SETSTATE](state: unknown): void {
    const items = expectSequence(state, 'ndarray state');
    const [shapeArg, dtypeArg, fortran, raw] = items.length === 5 ? items.slice(1) : items;
    const shape = expectSequence(shapeArg, 'ndarray shape').map((v) => expectIndex(v, 'ndarray shape'));
    if (!(dtypeArg instanceof NumpyDtype)) throw new CheckpointError(`corrupt checkpoint: ndarray dtype is ${describeValue(dtypeArg)}`);
    const dtype = dtypeArg.arrayDtype();
    if (Array.isArray(raw)) throw new CheckpointError('unsupported NumPy object array in checkpoint');
    const bytes = typeof raw === 'string' ? latin1ToBytes(raw) : raw;
    if (!(bytes instanceof Uint8Array)) throw new CheckpointError(`corrupt checkpoint: ndarray data is ${describeValue(raw)}`);
    const n = numelOf(shape);
    const data = typedArrayFromBytes(dtype, dtypeArg.bigEndian ? swapBytes(bytes, dtypeArg.itemsize, n) : bytes, n);
    this.dtype = dtype;
    this.shape = shape;
    this.data = fortran === true ? fortranToC(data, shape) : data;
  }
}

/**
 * Reorders column-major (Fortran) elements into row-major order.
 * @example fortranToC(new Float32Array([1, 3, 2, 4]), [2, 2]) // [1, 2, 3, 4]
 */
export function fortranToC(data: TensorArray, shape: readonly number[]): TensorArray {
  const stride: number[] = [];
  let s = 1;
  for (const d of shape) {
    stride.push(s);
    s *= d;
  }
  return gatherStrided(data, shape, stride, 0);
}

/**
 * Copies `count` items of `itemsize` bytes with each item's bytes reversed (big -> little endian).
 * @example swapBytes(new Uint8Array([0, 1]), 2, 1) // [1, 0]
 */
export function swapBytes(bytes: Uint8Array, itemsize: number, count: number): Uint8Array {
  const n = Math.min(count * itemsize, bytes.length - (bytes.length % itemsize));
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += itemsize) for (let j = 0; j < itemsize; j++) out[i + j] = bytes[i + itemsize - 1 - j]!;
  return out;
}

function latin1ToBytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

/**
 * Decodes one NumPy scalar (`numpy.core.multiarray.scalar(dtype, bytes)`) to a JS value:
 * floats and small ints -> number, 64-bit ints beyond 2^53 -> bigint, bool -> boolean.
 * @example numpyScalar(new NumpyDtype('f8'), new Uint8Array(8)) // 0
 */
export function numpyScalar(dtype: NumpyDtype, raw: Uint8Array): number | bigint | boolean {
  if (raw.length < dtype.itemsize) throw new CheckpointError(`corrupt checkpoint: a NumPy ${dtype.kind}${dtype.itemsize} scalar has only ${raw.length} bytes`);
  const v = new DataView(raw.buffer, raw.byteOffset, dtype.itemsize);
  const le = !dtype.bigEndian;
  const size = dtype.itemsize;
  if (dtype.kind === 'b') return raw[0] !== 0;
  if (dtype.kind === 'f') return size === 2 ? halfToNumber(v.getUint16(0, le)) : size === 4 ? v.getFloat32(0, le) : v.getFloat64(0, le);
  if (size === 8) {
    const big = dtype.kind === 'i' ? v.getBigInt64(0, le) : v.getBigUint64(0, le);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  if (dtype.kind === 'i') return size === 1 ? v.getInt8(0) : size === 2 ? v.getInt16(0, le) : v.getInt32(0, le);
  return size === 1 ? v.getUint8(0) : size === 2 ? v.getUint16(0, le) : v.getUint32(0, le);
}

/**
 * The NumPy allow-list (numpy.core and numpy._core spellings): dtype, scalar, _reconstruct, ndarray.
 * @example unpickle(bytes, { globals: numpyGlobalTable() })
 */
export function numpyGlobalTable(): GlobalTable {
  const t = new Map<string, GlobalHandler | GlobalConstant>();
  t.set('numpy.dtype', (a) => new NumpyDtype(expectString(a[0], 'numpy dtype')));
  t.set('numpy.ndarray', { constant: NDARRAY_CLASS });
  for (const core of ['numpy.core.multiarray', 'numpy._core.multiarray']) {
    t.set(`${core}.scalar`, (a) => {
      if (!(a[0] instanceof NumpyDtype)) throw new CheckpointError(`corrupt checkpoint: numpy scalar dtype is ${describeValue(a[0])}`);
      const raw = typeof a[1] === 'string' ? latin1ToBytes(a[1]) : a[1];
      if (!(raw instanceof Uint8Array)) throw new CheckpointError(`corrupt checkpoint: numpy scalar data is ${describeValue(a[1])}`);
      return numpyScalar(a[0], raw);
    });
    t.set(`${core}._reconstruct`, (a) => {
      if (a[0] !== NDARRAY_CLASS) throw new CheckpointError(`corrupt checkpoint: _reconstruct of ${describeValue(a[0])} instead of numpy.ndarray`);
      return new NumpyArray();
    });
  }
  return t;
}
