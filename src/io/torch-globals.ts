// The allow-list of PyTorch globals a checkpoint may name, as plain-TS handlers, and the storage
// object persistent ids resolve to. Mirrors torch/_utils.py (_rebuild_tensor*, _rebuild_parameter*).
import { CheckpointError } from '../errors.js';
import {
  type GlobalConstant, type GlobalHandler, type GlobalTable, PyDict, PyTuple, describeValue, expectIndex, expectSequence, expectString,
} from './pickle-values.js';
import {
  type DType, type TensorArray, type TensorData, allocTensorArray, gatherStrided, isContiguous, maxStridedIndex, numelOf, typedArrayFromBytes,
} from './tensor.js';

/**
 * A `torch.<Dtype>Storage` class named in a persistent id: only its element type matters here.
 * @example new StorageType('HalfStorage', 'float16').dtype // 'float16'
 */
export class StorageType {
  constructor(
    readonly name: string, // e.g. 'FloatStorage'
    readonly dtype: DType,
  ) {}
}

/**
 * One storage of a checkpoint; its bytes may arrive after the tensors that view it (legacy format).
 * @example const s = new TorchStorage('0', 'float32', 6); s.fill(bytes); s.array // Float32Array(6)
 */
export class TorchStorage {
  /** The storage's elements, once read; null until then. */
  array: TensorArray | null = null;
  private readonly waiting: Array<(array: TensorArray) => void> = [];

  constructor(
    readonly key: string, // storage key in the file (e.g. '0' or '932674176')
    readonly dtype: DType,
    readonly numel: number, // element count
  ) {}

  /** Reads the storage's `numel` little-endian elements from `bytes` (a truncated read is a CheckpointError). */
  fill(bytes: Uint8Array): void {
    this.fillArray(typedArrayFromBytes(this.dtype, bytes, this.numel));
  }

  /** Sets the elements and completes every tensor waiting for them. */
  fillArray(array: TensorArray): void {
    if (this.array !== null) throw new CheckpointError(`corrupt checkpoint: storage '${this.key}' has its data twice`);
    this.array = array;
    for (const done of this.waiting.splice(0)) done(array);
  }

  /** Runs `done` when the elements are known (at once if they already are). */
  onFilled(done: (array: TensorArray) => void): void {
    if (this.array !== null) done(this.array);
    else this.waiting.push(done);
  }
}

/** PyTorch storage class name -> element type. */
const STORAGE_DTYPES: ReadonlyArray<readonly [string, DType]> = [
  ['FloatStorage', 'float32'], ['DoubleStorage', 'float64'], ['HalfStorage', 'float16'], ['BFloat16Storage', 'bfloat16'],
  ['LongStorage', 'int64'], ['IntStorage', 'int32'], ['ShortStorage', 'int16'], ['CharStorage', 'int8'],
  ['ByteStorage', 'uint8'], ['BoolStorage', 'bool'],
];

/** `torch.<name>` dtype constants -> our dtype names. */
const TORCH_DTYPES: ReadonlyArray<readonly [string, DType]> = [
  ['float32', 'float32'], ['float', 'float32'], ['float64', 'float64'], ['double', 'float64'], ['float16', 'float16'],
  ['half', 'float16'], ['bfloat16', 'bfloat16'], ['int64', 'int64'], ['long', 'int64'], ['int32', 'int32'],
  ['int', 'int32'], ['int16', 'int16'], ['short', 'int16'], ['int8', 'int8'], ['uint8', 'uint8'], ['bool', 'bool'],
];

/** Most elements a tensor may have beyond its storage's size (stride-0 broadcast views). */
const MAX_BROADCAST_NUMEL = 2 ** 24;

/**
 * Builds a TensorData viewing `storage` with PyTorch's size / stride / offset (in elements), bounds-checked.
 * Its `data` is filled as soon as the storage's bytes are known: a contiguous copy of the view, or the
 * storage's own array when the tensor covers the whole storage (so tied tensors share it, as in PyTorch).
 * @example rebuildTensor(storage, 0, new PyTuple([64, 3]), new PyTuple([1, 64]))
 */
export function rebuildTensor(storage: unknown, offsetArg: unknown, sizeArg: unknown, strideArg: unknown): TensorData {
  if (!(storage instanceof TorchStorage)) throw new CheckpointError(`corrupt checkpoint: a tensor is built on ${describeValue(storage)} instead of a storage`);
  const shape = expectSequence(sizeArg, 'tensor size').map((v) => expectIndex(v, 'tensor size'));
  const stride = expectSequence(strideArg, 'tensor stride').map((v) => expectIndex(v, 'tensor stride'));
  const offset = expectIndex(offsetArg, 'storage offset');
  if (stride.length !== shape.length) {
    throw new CheckpointError(`corrupt checkpoint: tensor size [${shape.join(', ')}] and stride [${stride.join(', ')}] differ in rank`);
  }
  const last = maxStridedIndex(shape, stride, offset);
  if (last >= storage.numel) {
    throw new CheckpointError(
      `corrupt checkpoint: a tensor of size [${shape.join(', ')}], stride [${stride.join(', ')}], offset ${offset} reaches element ${last} of storage '${storage.key}', which has ${storage.numel}`,
    );
  }
  const numel = numelOf(shape);
  if (numel > storage.numel && numel > MAX_BROADCAST_NUMEL) {
    throw new CheckpointError(`corrupt checkpoint: a tensor of size [${shape.join(', ')}] is implausibly large for its storage of ${storage.numel} elements`);
  }
  const t: TensorData = { dtype: storage.dtype, shape, data: allocTensorArray(storage.dtype, 0) };
  storage.onFilled((array) => {
    // A tensor that is its whole storage keeps the storage's array (shared, as in PyTorch); others copy.
    t.data = offset === 0 && numel === array.length && isContiguous(shape, stride) ? array : gatherStrided(array, shape, stride, offset);
  });
  return t;
}

/** Options of {@link torchGlobalTable}. */
export interface TorchGlobalsOptions {
  /** Reads an embedded legacy torch.save blob (`torch.storage._load_from_bytes`); absent: refused. */
  loadFromBytes?: (bytes: Uint8Array) => unknown;
}

/**
 * The allow-list for PyTorch files: tensor / parameter rebuilders, storage classes, dtypes,
 * OrderedDict, torch.Size, torch.device and a few harmless builtins (set, frozenset, bytearray).
 * @example unpickle(bytes, { globals: torchGlobalTable({}), persistentLoad })
 */
export function torchGlobalTable(options: TorchGlobalsOptions): GlobalTable {
  const t = new Map<string, GlobalHandler | GlobalConstant>();
  t.set('torch._utils._rebuild_tensor', (a) => rebuildTensor(a[0], a[1], a[2], a[3]));
  t.set('torch._utils._rebuild_tensor_v2', (a) => rebuildTensor(a[0], a[1], a[2], a[3]));
  t.set('torch._utils._rebuild_parameter', (a) => expectTensorArg(a[0], '_rebuild_parameter'));
  t.set('torch._utils._rebuild_parameter_with_state', (a) => expectTensorArg(a[0], '_rebuild_parameter_with_state'));
  for (const [name, dtype] of STORAGE_DTYPES) {
    t.set(`torch.${name}`, { constant: new StorageType(name, dtype) });
    t.set(`torch.cuda.${name}`, { constant: new StorageType(name, dtype) });
  }
  t.set('torch.UntypedStorage', { constant: new StorageType('UntypedStorage', 'uint8') });
  t.set('torch.storage.UntypedStorage', { constant: new StorageType('UntypedStorage', 'uint8') });
  for (const [name, dtype] of TORCH_DTYPES) t.set(`torch.${name}`, { constant: dtype });
  t.set('collections.OrderedDict', orderedDict);
  t.set('torch.Size', (a) => new PyTuple((a.length ? expectSequence(a[0], 'torch.Size') : []).map((v) => expectIndex(v, 'torch.Size'))));
  t.set('torch.device', torchDevice);
  t.set('builtins.set', (a) => new Set(a.length ? iterableArg(a[0], 'set') : []));
  t.set('builtins.frozenset', (a) => new Set(a.length ? iterableArg(a[0], 'frozenset') : []));
  t.set('builtins.bytearray', (a) => bytesArg(a, 'bytearray'));
  t.set('_codecs.encode', (a) => bytesArg(a, '_codecs.encode'));
  const load = options.loadFromBytes;
  if (load) {
    t.set('torch.storage._load_from_bytes', (a) => {
      if (!(a[0] instanceof Uint8Array)) throw new CheckpointError(`corrupt checkpoint: _load_from_bytes got ${describeValue(a[0])} instead of bytes`);
      return load(a[0]);
    });
  }
  return t;
}

function expectTensorArg(v: unknown, what: string): TensorData {
  if (typeof v !== 'object' || v === null || !('dtype' in v) || !('shape' in v)) {
    throw new CheckpointError(`corrupt checkpoint: ${what} got ${describeValue(v)} instead of a tensor`);
  }
  return v as TensorData;
}

// OrderedDict() -> empty Map (items follow via SETITEMS); OrderedDict([[k, v], ...]) as protocols 0-1 write it.
function orderedDict(args: readonly unknown[]): PyDict {
  const out = new PyDict();
  if (args.length === 0 || args[0] === null) return out;
  for (const pair of expectSequence(args[0], 'OrderedDict items')) {
    const kv = expectSequence(pair, 'OrderedDict item');
    if (kv.length !== 2) throw new CheckpointError('corrupt checkpoint: an OrderedDict item is not a (key, value) pair');
    out.set(kv[0], kv[1]);
  }
  return out;
}

// torch.device('cuda', 0) -> 'cuda:0'; torch.device('cpu') -> 'cpu'.
function torchDevice(args: readonly unknown[]): string {
  const kind = expectString(args[0], 'torch.device type');
  return args.length > 1 && args[1] !== null ? `${kind}:${expectIndex(args[1], 'torch.device index')}` : kind;
}

function iterableArg(v: unknown, what: string): readonly unknown[] {
  if (v instanceof Set) return [...v];
  return expectSequence(v, `${what} argument`);
}

// bytearray(b'..'), bytearray('latin-1 text', 'latin-1'), _codecs.encode('text', 'latin1'): bytes from latin-1 code points.
function bytesArg(args: readonly unknown[], what: string): Uint8Array {
  if (args.length === 0) return new Uint8Array(0);
  const v = args[0];
  if (v instanceof Uint8Array) return v.slice();
  const text = expectString(v, `${what} argument`);
  const enc = args.length > 1 ? expectString(args[1], `${what} encoding`).toLowerCase() : 'latin1';
  if (enc !== 'latin1' && enc !== 'latin-1') throw new CheckpointError(`corrupt checkpoint: ${what} with encoding '${enc}' is not supported`);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new CheckpointError(`corrupt checkpoint: ${what} text is not latin-1`);
    out[i] = c;
  }
  return out;
}
