// Reads and writes NumPy .npy arrays (format versions 1-3) and reads .npz archives, as TensorData.
// Follows numpy/lib/format.py; the header dict is parsed as a literal, never evaluated.
import { CheckpointError, InputError } from '../errors.js';
import { fortranToC, swapBytes } from './numpy-globals.js';
import { type DType, type TensorData, DTYPE_BYTES, numelOf, tensorBytes, typedArrayFromBytes } from './tensor.js';
import { ZipBytes } from './zip.js';

export type { DType, TensorData } from './tensor.js';

/** '\x93NUMPY' */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** NumPy type code (kind + size) <-> our dtype. bfloat16 has no NumPy code. */
const NPY_CODES: ReadonlyArray<readonly [string, DType]> = [
  ['f4', 'float32'], ['f8', 'float64'], ['f2', 'float16'], ['i8', 'int64'], ['i4', 'int32'], ['i2', 'int16'],
  ['i1', 'int8'], ['u1', 'uint8'], ['b1', 'bool'],
];

/**
 * Reads a .npy file (little- or big-endian, C or Fortran order) into a contiguous row-major TensorData.
 * @example const z = readNpy(readFileSync('z_seed0.npy')); // { dtype: 'float32', shape: [1, 64], ... }
 */
export function readNpy(bytes: Uint8Array): TensorData {
  if (bytes.length < 10 || !MAGIC.every((v, i) => bytes[i] === v)) throw new CheckpointError('not a .npy file: missing the \\x93NUMPY signature');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new CheckpointError(`unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenSize) throw new CheckpointError('truncated .npy file: header length missing');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenSize;
  if (start + headerLen > bytes.length) throw new CheckpointError(`truncated .npy file: header of ${headerLen} bytes but only ${bytes.length - start} remain`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const header = parseHeader(text);
  const { dtype, bigEndian } = dtypeOfDescr(header.descr);
  const n = numelOf(header.shape);
  let data = bytes.subarray(start + headerLen);
  const need = n * DTYPE_BYTES[dtype];
  if (data.length < need) throw new CheckpointError(`truncated .npy file: shape [${header.shape.join(', ')}] needs ${need} data bytes but ${data.length} remain`);
  if (bigEndian) data = swapBytes(data, DTYPE_BYTES[dtype], n);
  const values = typedArrayFromBytes(dtype, data, n);
  return { dtype, shape: header.shape, data: header.fortranOrder ? fortranToC(values, header.shape) : values };
}

/** Most bytes one array of a .npz may inflate to (1 GiB); a larger one is refused before it is inflated. */
const MAX_NPZ_ENTRY_BYTES = 1024 * 1024 * 1024;

/**
 * Reads every array of a .npz archive (a zip of .npy files), keyed by name without '.npy'.
 * @example const grads = readNpz(readFileSync('grads_Gmain.npz')); grads.get('mapping.fc0.weight')
 */
export function readNpz(bytes: Uint8Array): Map<string, TensorData> {
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b)) throw new CheckpointError('not a .npz file: it is not a zip archive');
  const archive = new ZipBytes(bytes, 'the archive', (m) => new CheckpointError(`truncated or corrupt .npz archive: ${m}`));
  const out = new Map<string, TensorData>();
  for (const name of archive.names()) {
    if (name.endsWith('/')) continue;
    try {
      out.set(name.replace(/\.npy$/, ''), readNpy(archive.read(name, MAX_NPZ_ENTRY_BYTES)));
    } catch (e) {
      if (e instanceof CheckpointError) throw new CheckpointError(`${name} in .npz: ${e.message}`);
      throw e;
    }
  }
  return out;
}

/**
 * Writes a TensorData as a version-1.0 .npy file (C order, little-endian); bfloat16 has no NumPy type.
 * @example writeFileSync('img.npy', writeNpy({ dtype: 'float32', shape: [1, 3], data: new Float32Array(3) }));
 */
export function writeNpy(t: TensorData): Uint8Array {
  const code = NPY_CODES.find(([, d]) => d === t.dtype)?.[0];
  if (code === undefined) throw new InputError(`cannot write a ${t.dtype} array to .npy (NumPy has no such dtype)`);
  if (numelOf(t.shape) !== t.data.length) throw new InputError(`shape [${t.shape.join(', ')}] does not match ${t.data.length} values`);
  const descr = (DTYPE_BYTES[t.dtype] === 1 ? '|' : '<') + code;
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so the data starts on a 64-byte boundary, ending in '\n' (numpy's layout).
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  if (header.length > 0xffff) throw new InputError('array has too many dimensions for a .npy version 1.0 header');
  const body = tensorBytes(t);
  const out = new Uint8Array(10 + header.length + body.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(body, 10 + header.length);
  return out;
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(text: string): NpyHeader {
  let value: unknown;
  try {
    value = new LiteralParser(text).parse();
  } catch (e) {
    throw new CheckpointError(`corrupt .npy header: ${(e as Error).message}`);
  }
  if (!(value instanceof Map)) throw new CheckpointError('corrupt .npy header: not a dict');
  const descr = value.get('descr');
  const fortran = value.get('fortran_order');
  const shape = value.get('shape');
  if (typeof descr !== 'string') throw new CheckpointError('unsupported .npy file: structured dtypes are not supported');
  if (typeof fortran !== 'boolean') throw new CheckpointError('corrupt .npy header: fortran_order missing');
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new CheckpointError('corrupt .npy header: bad shape');
  }
  return { descr, fortranOrder: fortran, shape: shape as number[] };
}

function dtypeOfDescr(descr: string): { dtype: DType; bigEndian: boolean } {
  const m = /^([<>|=]?)([a-z]\d+)$/.exec(descr);
  const dtype = m ? NPY_CODES.find(([c]) => c === m[2])?.[1] : undefined;
  if (!m || dtype === undefined) throw new CheckpointError(`unsupported .npy dtype '${descr}' (stylelab reads f2 f4 f8 i1 i2 i4 i8 u1 b1)`);
  return { dtype, bigEndian: m[1] === '>' && DTYPE_BYTES[dtype] > 1 };
}

/** Parses the Python literal subset .npy headers use: dicts, tuples, lists, strings, ints, True/False/None. */
class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): unknown {
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) throw new Error(`unexpected '${this.s[this.i]}' at ${this.i}`);
    return v;
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  private value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.seq('}', true);
    if (c === '(') return this.seq(')', false);
    if (c === '[') return this.seq(']', false);
    if (c === "'" || c === '"') return this.str(c);
    const word = /^(True|False|None|-?\d+L?)/.exec(this.s.slice(this.i));
    if (!word) throw new Error(`unexpected '${c ?? 'end'}' at ${this.i}`);
    this.i += word[0].length;
    return word[0] === 'True' ? true : word[0] === 'False' ? false : word[0] === 'None' ? null : Number(word[0].replace('L', ''));
  }

  private str(q: string): string {
    const end = this.s.indexOf(q, this.i + 1);
    if (end < 0) throw new Error('unterminated string');
    const v = this.s.slice(this.i + 1, end);
    this.i = end + 1;
    return v;
  }

  private seq(close: string, isDict: boolean): unknown {
    this.i++;
    const items: unknown[] = [];
    const dict = new Map<unknown, unknown>();
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return isDict ? dict : items;
      }
      const v = this.value();
      if (isDict) {
        this.ws();
        if (this.s[this.i++] !== ':') throw new Error('expected : in dict');
        dict.set(v, this.value());
      } else items.push(v);
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) throw new Error(`expected , or ${close} at ${this.i}`);
    }
  }
}
