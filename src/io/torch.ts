// Reads PyTorch `torch.save` files without PyTorch: the zip format (1.6+), the legacy format
// (several pickles then raw storages), and storages embedded in plain pickles via
// `torch.storage._load_from_bytes` (how StyleGAN snapshots hold every tensor). Follows torch/serialization.py.
import { CheckpointError } from '../errors.js';
import { unpickle, unpickleAt } from './pickle.js';
import { describeValue, expectIndex, expectSequence, expectString, type GlobalTable } from './pickle-values.js';
import { notACheckpoint, type SniffedFile, sniffFile } from './sniff.js';
import { DTYPE_BYTES } from './tensor.js';
import { StorageType, TorchStorage, torchGlobalTable } from './torch-globals.js';
import { ZipBytes } from './zip.js';

export { type DType, type TensorArray, type TensorData, DTYPE_BYTES, isTensorData, toFloat32 } from './tensor.js';
export { StorageType, TorchStorage, torchGlobalTable } from './torch-globals.js';

/** The number legacy torch.save writes first (torch/serialization.py MAGIC_NUMBER). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** torch.save's legacy PROTOCOL_VERSION. */
const LEGACY_PROTOCOL_VERSION = 1001;
/** Most bytes a zip torch.save's pickle (and other entries but storages) may inflate to: 256 MiB. */
const MAX_ZIP_PICKLE_BYTES = 256 * 1024 * 1024;
/** How deeply `_load_from_bytes` blobs may nest (real files: 1). */
const MAX_NESTING = 4;

/**
 * Reads a `torch.save` file (zip or legacy format, or a plain pickle of tensors) and returns the
 * unpickled object: Maps for dicts, TensorData for tensors. Never executes anything. A SniffedFile's
 * kind is trusted (the caller sniffed it once).
 * @example const ckpt = loadTorchFile(bytes) as Map<string, Map<string, TensorData>>; // U-GAT-IT params
 */
export function loadTorchFile(input: Uint8Array | SniffedFile): unknown {
  return loadTorchBytes(sniffFile(input), 0);
}

/**
 * Whether the bytes begin like a legacy (pre-zip) torch.save file.
 * @example if (isLegacyTorchFile(bytes)) loadLegacyTorch(bytes);
 */
export function isLegacyTorchFile(input: Uint8Array | SniffedFile): boolean {
  return sniffFile(input).kind === 'torch-legacy';
}

/**
 * Reads the legacy torch.save format: magic, protocol version, sys_info, main pickle, storage
 * key list, then per key an int64 element count and the raw little-endian elements.
 * @example const obj = loadLegacyTorch(bytes);
 */
export function loadLegacyTorch(bytes: Uint8Array): unknown {
  return legacy(bytes, 0);
}

/**
 * Reads the zip torch.save format: `<archive>/data.pkl` plus one `<archive>/data/<key>` per storage.
 * @example const obj = loadZipTorch(bytes);
 */
export function loadZipTorch(bytes: Uint8Array): unknown {
  return zip(bytes, 0);
}

/**
 * The torch allow-list with `_load_from_bytes` wired to this module's readers, for other pickles
 * that embed tensors (StyleGAN snapshots).
 * @example unpickle(bytes, { globals: mergeGlobalTables(torchPickleGlobals(), myTable) });
 */
export function torchPickleGlobals(): GlobalTable {
  return globalsAt(0);
}

function globalsAt(depth: number): GlobalTable {
  let blobs = 0; // embedded storages read so far by this pickle, to name the one that fails
  return torchGlobalTable({
    loadFromBytes: (blob) => {
      const k = ++blobs;
      if (depth + 1 > MAX_NESTING) throw new CheckpointError(`corrupt checkpoint: embedded torch.save blobs nested more than ${MAX_NESTING} deep`);
      try {
        return loadTorchBytes(sniffFile(blob), depth + 1);
      } catch (e) {
        // Name the inner object: its message alone would describe the blob as if it were the whole file.
        if (e instanceof CheckpointError && e.constructor === CheckpointError) {
          throw new CheckpointError(`corrupt checkpoint: the ${ordinal(k)} embedded tensor storage (a ${blob.length}-byte torch.storage._load_from_bytes blob) is unreadable: ${e.message}`);
        }
        throw e;
      }
    },
  });
}

/** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st. */
function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

// One torch.save file (the whole input, or a blob embedded in a pickle), by its sniffed kind.
function loadTorchBytes(file: SniffedFile, depth: number): unknown {
  const { bytes, kind } = file;
  if (kind === 'zip') return zip(bytes, depth);
  if (kind === 'torch-legacy') return legacy(bytes, depth);
  if (kind !== 'pickle' && kind !== 'tf-pickle') throw notACheckpoint(bytes, kind);
  return unpickle(bytes, { globals: globalsAt(depth), refusalHint: styleGanHint });
}

// Points users of a StyleGAN snapshot at the reader that accepts its persistence globals.
function styleGanHint(name: string): string | undefined {
  if (name.startsWith('dnnlib.tflib') || name.startsWith('tfutil.')) return 'this looks like a TensorFlow-era network pickle: read it with readTfPickle or loadCheckpoint';
  return name.startsWith('torch_utils.') || name.startsWith('dnnlib.')
    ? 'this looks like a StyleGAN network pickle: read it with readStyleGanPickle'
    : undefined;
}

function legacy(bytes: Uint8Array, depth: number): unknown {
  const magic = unpickleAt(bytes, 0);
  if (magic.value !== LEGACY_MAGIC) throw new CheckpointError('not a legacy torch.save file: its first pickle is not the torch magic number');
  const version = unpickleAt(bytes, magic.end);
  if (version.value !== LEGACY_PROTOCOL_VERSION) {
    throw new CheckpointError(`unsupported legacy torch.save protocol version ${String(version.value)} (expected ${LEGACY_PROTOCOL_VERSION})`);
  }
  const sysInfo = unpickleAt(bytes, version.end);
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) {
    throw new CheckpointError('this checkpoint was saved on a big-endian machine, which stylelab does not read');
  }
  const roots = new Map<string, TorchStorage>();
  const views = new Map<string, TorchStorage>();
  const main = unpickleAt(bytes, sysInfo.end, {
    globals: globalsAt(depth),
    persistentLoad: (pid) => legacyStorage(pid, roots, views),
  });
  const keyList = unpickleAt(bytes, main.end);
  const keys = expectSequence(keyList.value, 'legacy storage key list').map((k) => expectString(k, 'storage key'));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keyList.end;
  for (const key of keys) {
    const storage = roots.get(key);
    if (!storage) throw new CheckpointError(`corrupt checkpoint: storage '${key}' is listed but no tensor uses it`);
    if (pos + 8 > bytes.length) throw truncatedStorage(key, 8, pos, bytes.length);
    const count = view.getBigInt64(pos, true);
    pos += 8;
    if (count !== BigInt(storage.numel)) {
      throw new CheckpointError(`corrupt checkpoint: storage '${key}' should hold ${storage.numel} elements but its data says ${count}`);
    }
    const nbytes = storage.numel * DTYPE_BYTES[storage.dtype];
    if (pos + nbytes > bytes.length) throw truncatedStorage(key, nbytes, pos, bytes.length);
    storage.fill(bytes.subarray(pos, pos + nbytes));
    pos += nbytes;
  }
  for (const s of roots.values()) {
    if (s.array === null) throw new CheckpointError(`truncated checkpoint: storage '${s.key}' is used but its data is missing`);
  }
  return main.value;
}

function truncatedStorage(key: string, need: number, pos: number, length: number): CheckpointError {
  return new CheckpointError(`truncated checkpoint: storage '${key}' needs ${need} bytes at byte ${pos} but only ${Math.max(0, length - pos)} remain`);
}

// Legacy persistent id: ('storage', storage_type, root_key, location, numel, view_metadata).
function legacyStorage(pid: unknown, roots: Map<string, TorchStorage>, views: Map<string, TorchStorage>): TorchStorage {
  const items = expectSequence(pid, 'persistent id');
  if (items[0] === 'module') {
    throw new CheckpointError('this checkpoint pickles whole nn.Module classes (torch.save(model)); stylelab reads state dicts only');
  }
  if (items[0] !== 'storage' || items.length < 5) throw new CheckpointError(`corrupt checkpoint: unexpected persistent id ${describeValue(pid)}`);
  const type = storageType(items[1]);
  const rootKey = expectString(items[2], 'storage key');
  const numel = expectIndex(items[4], 'storage size');
  let root = roots.get(rootKey);
  if (!root) roots.set(rootKey, (root = new TorchStorage(rootKey, type.dtype, numel)));
  const viewMeta = items[5] ?? null;
  if (viewMeta === null) return root;
  // A storage view: (view_key, offset, view_size) into the root storage (PyTorch < 1.0 files).
  const [viewKeyArg, offsetArg, sizeArg] = expectSequence(viewMeta, 'storage view');
  const viewKey = expectString(viewKeyArg, 'storage view key');
  const existing = views.get(viewKey);
  if (existing) return existing;
  const offset = expectIndex(offsetArg, 'storage view offset');
  const size = expectIndex(sizeArg, 'storage view size');
  if (offset + size > root.numel) throw new CheckpointError(`corrupt checkpoint: storage view '${viewKey}' lies outside storage '${rootKey}'`);
  const viewStorage = new TorchStorage(viewKey, root.dtype, size);
  views.set(viewKey, viewStorage);
  root.onFilled((array) => viewStorage.fillArray(array.slice(offset, offset + size)));
  return viewStorage;
}

function storageType(v: unknown): StorageType {
  if (!(v instanceof StorageType)) throw new CheckpointError(`corrupt checkpoint: ${describeValue(v)} is not a storage type`);
  return v;
}

function zip(bytes: Uint8Array, depth: number): unknown {
  const archive = new ZipBytes(bytes, 'the archive', (m) => new CheckpointError(`truncated or corrupt zip archive: ${m}`));
  const names = archive.names();
  const pkls = names.filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl')).sort((a, b) => a.length - b.length);
  const pkl = pkls[0];
  if (pkl === undefined) {
    const some = names.slice(0, 5).join(', ') + (names.length > 5 ? ', ...' : '');
    throw new CheckpointError(`zip archive without data.pkl: not a torch.save file (it holds ${names.length ? some : 'nothing'})`);
  }
  const prefix = pkl.slice(0, -'data.pkl'.length);
  if (archive.has(prefix + 'constants.pkl') && names.some((n) => n.startsWith(prefix + 'code/'))) {
    throw new CheckpointError('this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; save the state_dict instead');
  }
  const order = archive.has(prefix + 'byteorder') ? archive.read(prefix + 'byteorder', MAX_ZIP_PICKLE_BYTES) : null;
  if (order && new TextDecoder().decode(order).trim() === 'big') {
    throw new CheckpointError('this checkpoint was saved on a big-endian machine, which stylelab does not read');
  }
  const storages = new Map<string, TorchStorage>();
  // Zip persistent id: ('storage', storage_type, key, location, numel).
  const persistentLoad = (pid: unknown): TorchStorage => {
    const items = expectSequence(pid, 'persistent id');
    if (items[0] !== 'storage' || items.length < 5) throw new CheckpointError(`corrupt checkpoint: unexpected persistent id ${describeValue(pid)}`);
    const type = storageType(items[1]);
    const key = expectString(items[2], 'storage key');
    const known = storages.get(key);
    if (known) return known;
    const name = `${prefix}data/${key}`;
    if (!archive.has(name)) throw new CheckpointError(`truncated checkpoint: the archive has no ${name} for a storage it uses`);
    const storage = new TorchStorage(key, type.dtype, expectIndex(items[4], 'storage size'));
    // The entry may hold no more than the storage needs: larger is refused before it is inflated.
    const need = storage.numel * DTYPE_BYTES[storage.dtype];
    storage.fill(archive.read(name, need, () => new CheckpointError(`corrupt checkpoint: ${name} holds more than the ${need} bytes its storage (${storage.numel} ${storage.dtype}) needs (refused unread)`)));
    storages.set(key, storage);
    return storage;
  };
  const main = archive.read(pkl, MAX_ZIP_PICKLE_BYTES, () => new CheckpointError(`corrupt checkpoint: ${pkl} is larger than the ${MAX_ZIP_PICKLE_BYTES >> 20} MiB a torch.save pickle may be (refused unread)`));
  return unpickle(main, { globals: globalsAt(depth), persistentLoad, refusalHint: styleGanHint });
}
