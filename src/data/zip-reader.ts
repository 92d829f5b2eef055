// Random access to the entries of a zip file without loading it whole: the central directory is read once,
// each entry on demand (stored or deflated, zip64 sizes and offsets included), with inflation bounded while it
// runs (io/zip.ts). Enough for data set archives written by NVIDIA's dataset_tool.py (zipfile, ZIP_STORED) and
// by `stylelab dataset`.
import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { EOCD_TAIL, entryBytes, entryDataOffset, locateDirectory, parseCentralDirectory, readZip64End, type ZipEntry } from '../io/zip.js';

/**
 * Most bytes one entry may hold (declared and inflated): 256 MiB, above any image file a data set holds (a
 * 8192x8192 RGBA PNG stored raw); a larger entry is refused before it is inflated.
 */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

const fail = (message: string): Error => new InputError(message);

/**
 * An open zip archive; `close()` releases its file handle.
 * @example const z = await ZipReader.open('data.zip'); const png = await z.read('00000/img00000000.png'); await z.close();
 */
export class ZipReader {
  private readonly entries = new Map<string, ZipEntry>();
  private fileSize = 0;

  private constructor(
    readonly path: string,
    private file: FileHandle | null,
    /** Most bytes one entry may hold. */
    readonly maxEntryBytes: number,
  ) {}

  /** Opens `path` and reads its central directory (errors name the file). */
  static async open(path: string, o: { maxEntryBytes?: number } = {}): Promise<ZipReader> {
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (e) {
      throw new InputError(`cannot open ${path}: ${(e as Error).message}`);
    }
    const zip = new ZipReader(path, file, o.maxEntryBytes ?? MAX_ENTRY_BYTES);
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

  /** The uncompressed bytes of one entry (refused unread when it declares more than maxEntryBytes). */
  async read(name: string): Promise<Uint8Array> {
    const e = this.entries.get(name);
    if (!e) throw new InputError(`${this.path} has no entry ${name}`);
    const tooBig = () => new InputError(`${this.path}: ${name} declares ${e.size} bytes, more than the ${this.maxEntryBytes} one entry may hold (refused unread)`);
    if (e.size > this.maxEntryBytes) throw tooBig();
    if (e.localOffset + 30 + e.compressedSize > this.fileSize) throw new InputError(`${this.path} is truncated (entry ${name})`);
    const file = this.handle();
    const dataAt = entryDataOffset(await readAt(file, e.localOffset, 30), e, this.path, fail);
    return entryBytes(await readAt(file, dataAt, e.compressedSize), e, this.maxEntryBytes, this.path, fail, tooBig);
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
    const fileSize = (this.fileSize = (await file.stat()).size);
    const tailLen = Math.min(fileSize, EOCD_TAIL);
    let loc = locateDirectory(await readAt(file, fileSize - tailLen, tailLen), this.path, fail);
    if ('zip64EndAt' in loc) loc = readZip64End(await readAt(file, loc.zip64EndAt, 56), this.path, fail);
    const cd = await readAt(file, loc.cdOffset, loc.cdSize);
    if (cd.length !== loc.cdSize) throw new InputError(`${this.path} is truncated (central directory)`);
    for (const e of parseCentralDirectory(cd, loc.count, this.path, fail)) this.entries.set(e.name, e);
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
