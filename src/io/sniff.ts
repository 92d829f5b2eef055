// Recognises what a byte buffer is from its first bytes, so wrong inputs get a clear message.
import { CheckpointError } from '../errors.js';

/** What the first bytes of a file say it is. */
export type FileKind = 'empty' | 'zip' | 'pickle' | 'tar' | 'png' | 'jpeg' | 'gif' | 'webp' | 'gzip' | 'npy' | 'safetensors' | 'unknown';

/**
 * Classifies a buffer by its signature (pickle = PROTO opcode 0x80 with protocol 2-5).
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
  if (b[0] === 0x80 && b.length > 1 && b[1]! >= 2 && b[1]! <= 5) return 'pickle';
  if (b.length > 262 && isTar(b)) return 'tar';
  if (b.length >= 10 && b[8] === 0x7b && b[6] === 0 && b[7] === 0) return 'safetensors';
  return 'unknown';
}

function isTar(b: Uint8Array): boolean {
  // POSIX / GNU tar headers carry 'ustar' at byte 257.
  return b[257] === 0x75 && b[258] === 0x73 && b[259] === 0x74 && b[260] === 0x61 && b[261] === 0x72;
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
    default: {
      const head = [...bytes.subarray(0, 8)].map((v) => v.toString(16).padStart(2, '0')).join(' ');
      return new CheckpointError(`not a PyTorch or pickle file (it starts with bytes ${head})`);
    }
  }
}
