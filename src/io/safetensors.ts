// Reads and writes the safetensors format: u64 little-endian header length, a JSON header
// { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { str: str } }, then the data.
// Every offset, length and overlap in a (possibly hostile) header is checked before any data is read.
import { CheckpointError, InputError } from '../errors.js';
import { type DType, type TensorData, DTYPE_BYTES, numelOf, tensorBytes, typedArrayFromBytes } from './tensor.js';

export type { DType, TensorData } from './tensor.js';

/** A safetensors file's tensors (in header order) and its optional string metadata. */
export interface SafetensorsFile {
  tensors: Map<string, TensorData>;
  metadata: Record<string, string>;
}

/** safetensors dtype names <-> ours. */
const ST_DTYPES: ReadonlyArray<readonly [string, DType]> = [
  ['F32', 'float32'], ['F64', 'float64'], ['F16', 'float16'], ['BF16', 'bfloat16'], ['I64', 'int64'],
  ['I32', 'int32'], ['I16', 'int16'], ['I8', 'int8'], ['U8', 'uint8'], ['BOOL', 'bool'],
];

/** Largest header the reference implementation accepts (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Reads a safetensors file into TensorData (copies, so the input buffer may be released).
 * @example const { tensors, metadata } = readSafetensors(readFileSync('model.safetensors'));
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw new CheckpointError(`truncated safetensors file: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(bytes.length - 8)) {
    throw new CheckpointError(`truncated or corrupt safetensors file: header claims ${headerLen} bytes but only ${bytes.length - 8} follow`);
  }
  if (headerLen > BigInt(MAX_HEADER_BYTES)) throw new CheckpointError(`corrupt safetensors file: header of ${headerLen} bytes exceeds the 100 MB limit`);
  const start = 8 + Number(headerLen);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, start)));
  } catch (e) {
    throw new CheckpointError(`corrupt safetensors file: header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CheckpointError('corrupt safetensors file: header is not a JSON object');
  const dataLen = bytes.length - start;
  const entries: Array<{ name: string; dtype: DType; shape: number[]; begin: number; end: number }> = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = readMetadata(info);
      continue;
    }
    entries.push({ name, ...readEntry(name, info, dataLen) });
  }
  // Tensors may not share bytes: sorted by start, each must begin at or after the previous end.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.begin < sorted[i - 1]!.end) {
      throw new CheckpointError(`corrupt safetensors file: tensors '${sorted[i - 1]!.name}' and '${sorted[i]!.name}' overlap`);
    }
  }
  const tensors = new Map<string, TensorData>();
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: typedArrayFromBytes(e.dtype, bytes.subarray(start + e.begin, start + e.end), numelOf(e.shape)) });
  }
  return { tensors, metadata };
}

function readMetadata(info: unknown): Record<string, string> {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw new CheckpointError('corrupt safetensors file: __metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(info)) {
    if (typeof v !== 'string') throw new CheckpointError(`corrupt safetensors file: __metadata__ value '${k}' is not a string`);
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function readEntry(name: string, info: unknown, dataLen: number): { dtype: DType; shape: number[]; begin: number; end: number } {
  const bad = (what: string): CheckpointError => new CheckpointError(`corrupt safetensors file: tensor '${name}' ${what}`);
  if (typeof info !== 'object' || info === null) throw bad('has no description');
  const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
  const dtype = ST_DTYPES.find(([c]) => c === code)?.[1];
  if (dtype === undefined) throw bad(`has unsupported dtype ${JSON.stringify(code)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad('has an invalid shape');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) throw bad('has invalid data_offsets');
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLen) throw bad(`has data_offsets [${begin}, ${end}] outside the ${dataLen} data bytes`);
  const need = numelOf(shape as number[]) * DTYPE_BYTES[dtype];
  if (end - begin !== need) throw bad(`has ${end - begin} data bytes but shape [${shape.join(', ')}] of ${code} needs ${need}`);
  return { dtype, shape: shape as number[], begin, end };
}

/**
 * Writes tensors (and optional string metadata) as a safetensors file, in the given order.
 * @example writeFileSync('w.safetensors', writeSafetensors(new Map([['w', t]]), { format: 'pt' }));
 */
export function writeSafetensors(tensors: ReadonlyMap<string, TensorData>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new InputError("a tensor may not be named '__metadata__'");
    const code = ST_DTYPES.find(([, d]) => d === t.dtype)?.[0];
    if (code === undefined) throw new InputError(`cannot write dtype ${String(t.dtype)} to safetensors`);
    if (numelOf(t.shape) !== t.data.length) throw new InputError(`tensor '${name}': shape [${t.shape.join(', ')}] does not match ${t.data.length} values`);
    const n = t.data.byteLength;
    Object.defineProperty(header, name, { value: { dtype: code, shape: t.shape, data_offsets: [offset, offset + n] }, enumerable: true });
    offset += n;
  }
  // Header padded with spaces to a multiple of 8 so the data is aligned.
  let json = JSON.stringify(header);
  const raw = new TextEncoder().encode(json);
  json += ' '.repeat((8 - ((8 + raw.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    const b = tensorBytes(t);
    out.set(b, at);
    at += b.length;
  }
  return out;
}
