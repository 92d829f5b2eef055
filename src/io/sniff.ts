// Recognises what a byte buffer is from its first bytes, so wrong inputs get a clear message. A file is
// sniffed once: readers take the resulting SniffedFile and trust its kind instead of looking again.
import { CheckpointError } from '../errors.js';

/** What the first bytes of a file say it is ('pickle' is a pickle of neither special kind). */
export type FileKind =
  | 'empty' | 'zip' | 'pickle' | 'torch-legacy' | 'tf-pickle' | 'tar' | 'png' | 'jpeg' | 'gif' | 'webp' | 'gzip' | 'npy' | 'safetensors' | 'unknown';

/** LONG1 opcode, 10 bytes, then torch/serialization.py's MAGIC_NUMBER little-endian: how legacy torch.save begins. */
const LEGACY_TORCH_MAGIC_OPS = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/** Modules of the TensorFlow-era network class: dnnlib.tflib.network.Network (StyleGAN, StyleGAN2), tfutil.Network (ProGAN). */
const TF_NETWORK_MODULES: ReadonlySet<string> = new Set(['dnnlib.tflib.network', 'tfutil']);

/**
 * Classifies a buffer by its signature (pickle = PROTO opcode 0x80 with protocol 2-5; a legacy torch.save
 * file is a pickle that starts with the torch magic number; a TensorFlow-era network pickle is one whose
 * first global is the TF `Network` class).
 * @example sniffFileKind(new Uint8Array([0x50, 0x4b, 3, 4])) // 'zip'
 */
export function sniffFileKind(bytes: Uint8Array): FileKind {
  const b = bytes;
  const starts = (...sig: number[]): boolean => sig.every((v, i) => b[i] === v);
  if (b.length === 0) return 'empty';
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) return 'zip';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'webp';
  if (starts(0x1f, 0x8b)) return 'gzip';
  if (starts(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59)) return 'npy';
  if (b[0] === 0x80 && b.length > 1 && b[1]! >= 2 && b[1]! <= 5) {
    if (hasLegacyTorchMagic(b)) return 'torch-legacy';
    const g = openingGlobal(b);
    return g !== null && TF_NETWORK_MODULES.has(g.module) && g.name === 'Network' ? 'tf-pickle' : 'pickle';
  }
  if (b.length > 262 && isTar(b)) return 'tar';
  if (b.length >= 10 && b[8] === 0x7b && b[6] === 0 && b[7] === 0) return 'safetensors';
  return 'unknown';
}

function isTar(b: Uint8Array): boolean {
  // POSIX / GNU tar headers carry 'ustar' at byte 257.
  return b[257] === 0x75 && b[258] === 0x73 && b[259] === 0x74 && b[260] === 0x61 && b[261] === 0x72;
}

// The magic number pickle within the first 32 bytes (after PROTO, and a FRAME in newer protocols).
function hasLegacyTorchMagic(b: Uint8Array): boolean {
  const head = b.subarray(0, 32);
  for (let i = 2; i + LEGACY_TORCH_MAGIC_OPS.length <= head.length; i++) {
    if (LEGACY_TORCH_MAGIC_OPS.every((v, j) => head[i + j] === v)) return true;
  }
  return false;
}

/**
 * The global a pickle names first, when it opens with one (after PROTO and an optional FRAME): GLOBAL
 * 'module\nname\n' (protocols 2-3) or two SHORT_BINUNICODE strings then STACK_GLOBAL (4-5), memo opcodes between;
 * a MARK may come first.
 * @example openingGlobal(bytes) // { module: 'dnnlib.tflib.network', name: 'Network' }
 */
export function openingGlobal(b: Uint8Array): { module: string; name: string } | null {
  let pos = 2;
  if (b[pos] === 0x95) pos += 9; // FRAME + 8-byte length
  if (b[pos] === 0x28) pos++; // MARK of a long tuple or list whose first item is the object
  const latin1 = (from: number, to: number): string => String.fromCharCode(...b.subarray(from, to));
  if (b[pos] === 0x63) { // GLOBAL
    const end1 = b.indexOf(0x0a, pos + 1);
    const end2 = end1 < 0 ? -1 : b.indexOf(0x0a, end1 + 1);
    if (end1 < 0 || end2 < 0 || end2 - pos > 256) return null;
    return { module: latin1(pos + 1, end1), name: latin1(end1 + 1, end2) };
  }
  const strings: string[] = [];
  while (strings.length < 2 && b[pos] === 0x8c) { // SHORT_BINUNICODE, each maybe followed by MEMOIZE
    const n = b[pos + 1];
    if (n === undefined || pos + 2 + n > b.length) return null;
    strings.push(latin1(pos + 2, pos + 2 + n));
    pos += 2 + n;
    if (b[pos] === 0x94) pos++;
  }
  return strings.length === 2 && b[pos] === 0x93 ? { module: strings[0]!, name: strings[1]! } : null; // STACK_GLOBAL
}

/**
 * A file's bytes with the kind sniffed from them, made once per file and passed down, so that no reader
 * looks at the signature again (readers trust `kind`).
 * @example const file = sniffFile(bytes); if (file.kind === 'tf-pickle') readTfPickle(file);
 */
export class SniffedFile {
  constructor(
    readonly bytes: Uint8Array,
    readonly kind: FileKind,
  ) {}
}

/**
 * The sniffed form of a file: a SniffedFile is returned as it is, bytes are sniffed (the one sniff of a load).
 * @example const file = sniffFile(readFileSync('network.pkl'));
 */
export function sniffFile(input: Uint8Array | SniffedFile): SniffedFile {
  return input instanceof SniffedFile ? input : new SniffedFile(input, sniffFileKind(input));
}

/**
 * A CheckpointError that says what the buffer is instead of a checkpoint, for kinds no reader takes.
 * @example throw notACheckpoint(bytes, 'png');
 */
export function notACheckpoint(bytes: Uint8Array, kind: FileKind): CheckpointError {
  switch (kind) {
    case 'empty': return new CheckpointError('empty file: not a checkpoint (0 bytes)');
    case 'png': return new CheckpointError('this is a PNG image, not a checkpoint');
    case 'jpeg': return new CheckpointError('this is a JPEG image, not a checkpoint');
    case 'gif': return new CheckpointError('this is a GIF image, not a checkpoint');
    case 'webp': return new CheckpointError('this is a WebP image, not a checkpoint');
    case 'gzip': return new CheckpointError('this is a gzip-compressed file; decompress it first');
    case 'npy': return new CheckpointError('this is a NumPy .npy array, not a checkpoint (read it with readNpy)');
    case 'safetensors': return new CheckpointError('this is a safetensors file, not a pickle (read it with readSafetensors)');
    case 'tar':
      return new CheckpointError('this is the pre-1.0 tar torch.save format, which stylelab does not read; re-save it with a current PyTorch (torch.save(torch.load(f), g))');
    case 'zip': case 'torch-legacy': return new CheckpointError('this is a PyTorch torch.save checkpoint, not a network pickle');
    case 'tf-pickle': return new CheckpointError('this is a TensorFlow-era network pickle (dnnlib.tflib), not a PyTorch file');
    case 'pickle': return new CheckpointError('this is a pickle of an unexpected kind');
    default: {
      const head = [...bytes.subarray(0, 8)].map((v) => v.toString(16).padStart(2, '0')).join(' ');
      return new CheckpointError(`not a PyTorch or pickle file (it starts with bytes ${head})`);
    }
  }
}
