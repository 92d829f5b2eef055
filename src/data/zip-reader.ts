// Random access to the entries of a zip file without loading it whole: the central directory is read once,
// each entry on demand (stored or deflated, zip64 sizes and offsets included). Enough for data set archives
// written by NVIDIA's dataset_tool.py (zipfile, ZIP_STORED) and by `stylelab dataset`.
import { open, type FileHandle } from 'node:fs/promises';
import { inflateSync } from 'fflate';
import { InputError } from '../errors.js';

/** One file in the archive, as the central directory lists it. */
interface ZipEntry {
  name: string;
  method: number; // 0 stored, 8 deflate
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const U32_MAX = 0xffffffff;

/** A little-endian 64-bit unsigned read as a safe integer. */
function u64(v: DataView, at: number): number {
  return v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;
}

/**
 * An open zip archive; `close()` releases its file handle.
 * @example const z = await ZipReader.open('data.zip'); const png = await z.read('00000/img00000000.png'); await z.close();
 */
export class ZipReader {
  private readonly entries = new Map<string, ZipEntry>();

  private constructor(
    readonly path: string,
    private file: FileHandle | null,
  ) {}

  /** Opens `path` and reads its central directory (errors name the file). */
  static async open(path: string): Promise<ZipReader> {
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (e) {
      throw new InputError(`cannot open ${path}: ${(e as Error).message}`);
    }
    const zip = new ZipReader(path, file);
    try {
      await zip.readDirectory(file);
    } catch (e) {
      await file.close();
      throw e;
    }
    return zip;
  }

  /** Names of all entries (folders included, as stored: '/' separated). */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Whether the archive holds an entry of that name. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The uncompressed bytes of one entry. */
  async read(name: string): Promise<Uint8Array> {
    const e = this.entries.get(name);
    if (!e) throw new InputError(`${this.path} has no entry ${name}`);
    const file = this.handle();
    const head = await readAt(file, e.localOffset, 30);
    const hv = new DataView(head.buffer, head.byteOffset, 30);
    if (hv.getUint32(0, true) !== LOCAL_SIG) throw new InputError(`${this.path} is corrupt: bad local header for ${name}`);
    const dataAt = e.localOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
    const raw = await readAt(file, dataAt, e.compressedSize);
    if (raw.length !== e.compressedSize) throw new InputError(`${this.path} is truncated (entry ${name})`);
    if (e.method === 0) return raw;
    try {
      return inflateSync(raw, { out: new Uint8Array(e.size) });
    } catch (err) {
      throw new InputError(`${this.path}: cannot inflate ${name}: ${(err as Error).message}`);
    }
  }

  /** Releases the file handle (idempotent). */
  async close(): Promise<void> {
    const f = this.file;
    this.file = null;
    await f?.close();
  }

  private handle(): FileHandle {
    if (!this.file) throw new InputError(`${this.path} was closed`);
    return this.file;
  }

  // End of central directory (zip64 aware), then every central directory record.
  private async readDirectory(file: FileHandle): Promise<void> {
    const fileSize = (await file.stat()).size;
    const tailLen = Math.min(fileSize, 22 + 65535);
    const tail = await readAt(file, fileSize - tailLen, tailLen);
    const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tv.getUint32(i, true) === EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new InputError(`${this.path} is not a zip file (no end of central directory)`);
    let count = tv.getUint16(eocd + 10, true);
    let cdSize = tv.getUint32(eocd + 12, true);
    let cdOffset = tv.getUint32(eocd + 16, true);
    if (eocd >= 20 && tv.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIG) {
      const z64 = await readAt(file, u64(tv, eocd - 20 + 8), 56);
      const zv = new DataView(z64.buffer, z64.byteOffset, z64.byteLength);
      if (zv.getUint32(0, true) !== ZIP64_EOCD_SIG) throw new InputError(`${this.path} is corrupt: bad zip64 end record`);
      count = u64(zv, 32);
      cdSize = u64(zv, 40);
      cdOffset = u64(zv, 48);
    }
    const cd = await readAt(file, cdOffset, cdSize);
    if (cd.length !== cdSize) throw new InputError(`${this.path} is truncated (central directory)`);
    const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
    const utf8 = new TextDecoder();
    let at = 0;
    // Records are read to the end of the directory, as Python's zipfile does: a writer without zip64 wraps the
    // 16-bit entry count past 65535 entries, the directory size stays right.
    let k = 0;
    for (; at < cdSize; k++) {
      if (at + 46 > cdSize || v.getUint32(at, true) !== CENTRAL_SIG) throw new InputError(`${this.path} is corrupt: bad central directory record ${k}`);
      const nameLen = v.getUint16(at + 28, true);
      const extraLen = v.getUint16(at + 30, true);
      const commentLen = v.getUint16(at + 32, true);
      const e: ZipEntry = {
        name: utf8.decode(cd.subarray(at + 46, at + 46 + nameLen)),
        flags: v.getUint16(at + 8, true),
        method: v.getUint16(at + 10, true),
        compressedSize: v.getUint32(at + 20, true),
        size: v.getUint32(at + 24, true),
        localOffset: v.getUint32(at + 42, true),
      };
      readZip64Extra(e, v, at + 46 + nameLen, extraLen);
      if (e.flags & 1) throw new InputError(`${this.path}: ${e.name} is encrypted`);
      if (e.method !== 0 && e.method !== 8) throw new InputError(`${this.path}: ${e.name} uses compression method ${e.method} (only stored and deflate are supported)`);
      this.entries.set(e.name, e);
      at += 46 + nameLen + extraLen + commentLen;
    }
    if (k % 0x10000 !== count % 0x10000) throw new InputError(`${this.path} is corrupt: ${k} central directory records, the end record says ${count}`);
  }
}

// The zip64 extra field holds, in order, the 64-bit values of those fields whose 32-bit value is 0xffffffff.
function readZip64Extra(e: ZipEntry, v: DataView, start: number, len: number): void {
  for (let at = start; at + 4 <= start + len; ) {
    const id = v.getUint16(at, true);
    const size = v.getUint16(at + 2, true);
    if (id === 0x0001) {
      let p = at + 4;
      if (e.size === U32_MAX) (e.size = u64(v, p)), (p += 8);
      if (e.compressedSize === U32_MAX) (e.compressedSize = u64(v, p)), (p += 8);
      if (e.localOffset === U32_MAX) e.localOffset = u64(v, p);
      return;
    }
    at += 4 + size;
  }
}

/** `length` bytes at `position` (fewer at the end of the file). */
async function readAt(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await file.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}
