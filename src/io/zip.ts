// Zip archives read entry by entry (PKWARE APPNOTE 4.3: end of central directory, zip64 records, central and
// local headers; stored and deflate entries), with every inflation bounded while it runs: a deflated entry is
// fed to the inflater in small pieces and refused as soon as its output passes the bytes the caller allows, so a
// zip bomb costs about what it is allowed, not what it expands to. Platform-neutral: the central directory
// parsing here is shared by the in-memory reader below (torch.save files, .npz) and data/zip-reader.ts (files).
import { Inflate } from 'fflate';

/** One file in the archive, as the central directory lists it. */
export interface ZipEntry {
  name: string;
  method: number; // 0 stored, 8 deflate
  flags: number;
  compressedSize: number;
  size: number; // uncompressed size as declared (a claim: inflation is checked against the caller's bound)
  localOffset: number;
}

/** Makes the error a reader throws for a bad archive (InputError for data sets, CheckpointError for checkpoints). */
export type ZipErrorFactory = (message: string) => Error;

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const U32_MAX = 0xffffffff;
/** Compressed bytes fed to the inflater at a time: at most ~16 MiB of output (deflate's ratio is below 1032:1) per piece. */
const INFLATE_PIECE = 16 * 1024;
/** Bytes of the end of central directory record, and the most a comment can add. */
export const EOCD_TAIL = 22 + 65535;

/** A little-endian 64-bit unsigned read as a safe integer. */
function u64(v: DataView, at: number): number {
  return v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Where the central directory is, or where the zip64 end record that says so is. */
export type DirectoryLocation = { count: number; cdSize: number; cdOffset: number } | { zip64EndAt: number };

/**
 * Finds the end of central directory record in the last bytes of an archive (`tail`, the last EOCD_TAIL bytes or
 * fewer): the directory's place, or the offset of the zip64 end record to read next (readZip64End).
 * @example const loc = locateDirectory(bytes.subarray(-EOCD_TAIL), 'data.zip', (m) => new InputError(m));
 */
export function locateDirectory(tail: Uint8Array, what: string, fail: ZipErrorFactory): DirectoryLocation {
  const tv = view(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw fail(`${what} is not a zip file (no end of central directory)`);
  if (eocd >= 20 && tv.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIG) return { zip64EndAt: u64(tv, eocd - 20 + 8) };
  return { count: tv.getUint16(eocd + 10, true), cdSize: tv.getUint32(eocd + 12, true), cdOffset: tv.getUint32(eocd + 16, true) };
}

/**
 * The directory's place from the 56-byte zip64 end of central directory record.
 * @example const loc = readZip64End(bytes.subarray(at, at + 56), 'data.zip', fail);
 */
export function readZip64End(rec: Uint8Array, what: string, fail: ZipErrorFactory): { count: number; cdSize: number; cdOffset: number } {
  const zv = view(rec);
  if (rec.length < 56 || zv.getUint32(0, true) !== ZIP64_EOCD_SIG) throw fail(`${what} is corrupt: bad zip64 end record`);
  return { count: u64(zv, 32), cdSize: u64(zv, 40), cdOffset: u64(zv, 48) };
}

/**
 * Every record of a central directory `cd` (read to its end, as Python's zipfile does: a writer without zip64
 * wraps the 16-bit entry count past 65535 entries). Encrypted entries and methods other than stored and deflate
 * are refused.
 * @example const entries = parseCentralDirectory(cd, count, 'data.zip', fail);
 */
export function parseCentralDirectory(cd: Uint8Array, count: number, what: string, fail: ZipErrorFactory): ZipEntry[] {
  const v = view(cd);
  const utf8 = new TextDecoder();
  const entries: ZipEntry[] = [];
  for (let at = 0; at < cd.length; ) {
    const k = entries.length;
    if (at + 46 > cd.length || v.getUint32(at, true) !== CENTRAL_SIG) throw fail(`${what} is corrupt: bad central directory record ${k}`);
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
    readZip64Extra(e, v, at + 46 + nameLen, Math.min(extraLen, cd.length - (at + 46 + nameLen)));
    if (e.flags & 1) throw fail(`${what}: ${e.name} is encrypted`);
    if (e.method !== 0 && e.method !== 8) throw fail(`${what}: ${e.name} uses compression method ${e.method} (only stored and deflate are supported)`);
    entries.push(e);
    at += 46 + nameLen + extraLen + commentLen;
  }
  if (entries.length % 0x10000 !== count % 0x10000) throw fail(`${what} is corrupt: ${entries.length} central directory records, the end record says ${count}`);
  return entries;
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

/**
 * Where an entry's data starts, from its 30-byte local header.
 * @example const at = entryDataOffset(bytes.subarray(e.localOffset, e.localOffset + 30), e, 'data.zip', fail);
 */
export function entryDataOffset(head: Uint8Array, e: ZipEntry, what: string, fail: ZipErrorFactory): number {
  const hv = view(head);
  if (head.length < 30 || hv.getUint32(0, true) !== LOCAL_SIG) throw fail(`${what} is corrupt: bad local header for ${e.name}`);
  return e.localOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
}

/**
 * An entry's bytes from its stored data `raw`. An entry that declares more than `limit` bytes is refused
 * (`tooBig`) unread; a deflated one is fed to the inflater INFLATE_PIECE bytes at a time and refused as corrupt
 * as soon as its output passes its declared size, so inflating never costs more than min(declared, limit).
 * @example const png = entryBytes(raw, e, 64 << 20, 'data.zip', fail, () => fail('too big'));
 */
export function entryBytes(raw: Uint8Array, e: ZipEntry, limit: number, what: string, fail: ZipErrorFactory, tooBig: () => Error): Uint8Array {
  if (e.size > limit) throw tooBig();
  if (raw.length !== e.compressedSize) throw fail(`${what} is truncated (entry ${e.name})`);
  if (e.method === 0) {
    if (raw.length !== e.size) throw fail(`${what} is corrupt: stored entry ${e.name} holds ${raw.length} bytes but declares ${e.size}`);
    return raw;
  }
  const out = new Uint8Array(e.size);
  let n = 0;
  let done = false;
  let refused: Error | null = null;
  const inflater = new Inflate((chunk, final) => {
    if (n + chunk.length > out.length) throw (refused = fail(`${what} is corrupt: ${e.name} inflates past the ${e.size} bytes it declares (refused there: a damaged or malicious archive)`));
    out.set(chunk, n);
    n += chunk.length;
    done = final;
  });
  try {
    for (let at = 0; at < raw.length; at += INFLATE_PIECE) inflater.push(raw.subarray(at, at + INFLATE_PIECE), at + INFLATE_PIECE >= raw.length);
    if (raw.length === 0) inflater.push(raw, true);
  } catch (err) {
    if (err === refused) throw err;
    throw fail(`${what}: cannot inflate ${e.name}: ${(err as Error).message}`);
  }
  if (!done || n !== e.size) throw fail(`${what} is corrupt: ${e.name} inflates to ${n} bytes but declares ${e.size}`);
  return out;
}

/**
 * A zip archive held in memory: entries listed from its central directory, each inflated only when read and
 * only up to the bytes the caller allows.
 * @example const z = new ZipBytes(bytes, 'model.pt', (m) => new CheckpointError(m)); const pkl = z.read('archive/data.pkl', 64 << 20);
 */
export class ZipBytes {
  private readonly entries = new Map<string, ZipEntry>();

  constructor(
    private readonly bytes: Uint8Array,
    readonly what: string,
    private readonly fail: ZipErrorFactory,
  ) {
    const tailLen = Math.min(bytes.length, EOCD_TAIL);
    let loc = locateDirectory(bytes.subarray(bytes.length - tailLen), what, fail);
    if ('zip64EndAt' in loc) loc = readZip64End(bytes.subarray(loc.zip64EndAt, loc.zip64EndAt + 56), what, fail);
    const cd = bytes.subarray(loc.cdOffset, loc.cdOffset + loc.cdSize);
    if (cd.length !== loc.cdSize) throw fail(`${what} is truncated (central directory)`);
    for (const e of parseCentralDirectory(cd, loc.count, what, fail)) this.entries.set(e.name, e);
  }

  /** Names of all entries, in directory order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The bytes of one entry; one that declares more than `limit` bytes is refused with `tooBig` (default: a plain message). */
  read(name: string, limit: number, tooBig?: () => Error): Uint8Array {
    const e = this.entries.get(name);
    if (!e) throw this.fail(`${this.what} has no entry ${name}`);
    const dataAt = entryDataOffset(this.bytes.subarray(e.localOffset, e.localOffset + 30), e, this.what, this.fail);
    const raw = this.bytes.subarray(dataAt, dataAt + e.compressedSize);
    return entryBytes(raw, e, limit, this.what, this.fail, tooBig ?? (() => this.fail(`${this.what}: ${name} declares ${this.entries.get(name)!.size} bytes, more than the ${limit} it may hold (refused unread)`)));
  }
}
