// A streaming writer of stored (uncompressed) zip files, as dataset_tool.py writes them (zipfile, ZIP_STORED),
// with zip64 end records when the archive holds more than 65535 entries or passes 4 GiB (FFHQ has 70000
// images; fflate's writer has no zip64). Entries are written to an open file descriptor as they come.
import { writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
/** 1980-01-01 00:00 in MS-DOS format: fixed, so the same data set gives the same bytes. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const UTF8_FLAG = 0x0800;

interface Written {
  name: Uint8Array;
  crc: number;
  size: number;
  offset: number;
}

/**
 * Writes entries to `fd` in order; `finish()` writes the central directory and flushes (the caller closes the file).
 * @example const z = new ZipWriter(fd); z.add('00000/img00000000.png', png); z.finish();
 */
export class ZipWriter {
  private readonly entries: Written[] = [];
  private offset = 0;
  private finished = false;
  private readonly buffer = new Uint8Array(2 ** 20);
  private used = 0;

  constructor(
    private readonly fd: number,
    private readonly o: { forceZip64?: boolean } = {},
  ) {}

  /** Number of entries added. */
  get count(): number {
    return this.entries.length;
  }

  /** Adds one stored entry. */
  add(name: string, data: Uint8Array): void {
    if (this.finished) throw new Error('ZipWriter: add() after finish()');
    if (data.length >= U32_MAX) throw new Error(`ZipWriter: ${name} is 4 GiB or more`);
    const nameBytes = new TextEncoder().encode(name);
    const e: Written = { name: nameBytes, crc: crc32(data), size: data.length, offset: this.offset };
    const h = new DataView(new ArrayBuffer(30));
    h.setUint32(0, 0x04034b50, true);
    h.setUint16(4, 20, true); // version needed: 2.0
    h.setUint16(6, UTF8_FLAG, true);
    h.setUint16(8, 0, true); // stored
    h.setUint16(10, 0, true);
    h.setUint16(12, DOS_DATE, true);
    h.setUint32(14, e.crc, true);
    h.setUint32(18, data.length, true);
    h.setUint32(22, data.length, true);
    h.setUint16(26, nameBytes.length, true);
    h.setUint16(28, 0, true);
    this.write(new Uint8Array(h.buffer));
    this.write(nameBytes);
    this.write(data);
    this.entries.push(e);
  }

  /** Writes the central directory and the end records (zip64 ones when needed). */
  finish(): void {
    this.finished = true;
    const cdOffset = this.offset;
    for (const e of this.entries) {
      const bigOffset = e.offset >= U32_MAX || !!this.o.forceZip64;
      const extra = bigOffset ? 12 : 0; // zip64 extra field: id, size, 8-byte local header offset
      const c = new DataView(new ArrayBuffer(46 + extra));
      c.setUint32(0, 0x02014b50, true);
      c.setUint16(4, (3 << 8) | 45, true); // made by: unix, 4.5
      c.setUint16(6, bigOffset ? 45 : 20, true);
      c.setUint16(8, UTF8_FLAG, true);
      c.setUint16(10, 0, true);
      c.setUint16(12, 0, true);
      c.setUint16(14, DOS_DATE, true);
      c.setUint32(16, e.crc, true);
      c.setUint32(20, e.size, true);
      c.setUint32(24, e.size, true);
      c.setUint16(28, e.name.length, true);
      c.setUint16(30, extra, true);
      c.setUint32(38, (0o100644 << 16) >>> 0, true); // external attributes: a regular file, rw-r--r--
      c.setUint32(42, bigOffset ? U32_MAX : e.offset, true);
      if (bigOffset) {
        c.setUint16(46, 0x0001, true);
        c.setUint16(48, 8, true);
        setU64(c, 50, e.offset);
      }
      this.write(new Uint8Array(c.buffer, 0, 46));
      this.write(e.name);
      if (extra) this.write(new Uint8Array(c.buffer, 46, extra));
    }
    const cdSize = this.offset - cdOffset;
    const n = this.entries.length;
    if (n > U16_MAX || cdOffset >= U32_MAX || cdSize >= U32_MAX || this.o.forceZip64) {
      const z64At = this.offset;
      const z = new DataView(new ArrayBuffer(56 + 20));
      z.setUint32(0, 0x06064b50, true);
      setU64(z, 4, 44); // size of the rest of the record
      z.setUint16(12, (3 << 8) | 45, true);
      z.setUint16(14, 45, true);
      setU64(z, 24, n);
      setU64(z, 32, n);
      setU64(z, 40, cdSize);
      setU64(z, 48, cdOffset);
      z.setUint32(56, 0x07064b50, true); // locator
      setU64(z, 64, z64At);
      z.setUint32(72, 1, true); // total disks
      this.write(new Uint8Array(z.buffer));
    }
    const end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true);
    end.setUint16(8, Math.min(n, U16_MAX), true);
    end.setUint16(10, Math.min(n, U16_MAX), true);
    end.setUint32(12, Math.min(cdSize, U32_MAX), true);
    end.setUint32(16, Math.min(cdOffset, U32_MAX), true);
    this.write(new Uint8Array(end.buffer));
    this.flush();
  }

  // Small pieces (headers, names) are gathered in a 1 MiB buffer; large ones go straight to the file.
  private write(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buffer.length) this.flush();
    if (bytes.length > this.buffer.length) writeAll(this.fd, bytes);
    else {
      this.buffer.set(bytes, this.used);
      this.used += bytes.length;
    }
    this.offset += bytes.length;
  }

  private flush(): void {
    writeAll(this.fd, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

function setU64(v: DataView, at: number, x: number): void {
  v.setUint32(at, x % 2 ** 32, true);
  v.setUint32(at + 4, Math.floor(x / 2 ** 32), true);
}
