// Zip bombs for the tests, built directly (no multi-GiB buffer is ever made): a raw deflate stream of zeros
// written by hand (one fixed-Huffman block: a literal 0, then (length 258, distance 1) copies at 13 bits per
// 258 bytes, about 1030:1) and a zip assembler that stores entries as given, declared sizes included.

/** Writes bits LSB-first, as deflate packs its stream. */
class BitWriter {
  private readonly out: Uint8Array;
  private at = 0;
  private acc = 0;
  private n = 0;
  constructor(capacity: number) {
    this.out = new Uint8Array(capacity);
  }
  bits(value: number, count: number): void {
    this.acc |= value << this.n;
    this.n += count;
    while (this.n >= 8) {
      this.out[this.at++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.n -= 8;
    }
  }
  /** A Huffman code: its bits go most significant first. */
  code(value: number, length: number): void {
    let r = 0;
    for (let i = 0; i < length; i++) r |= ((value >> i) & 1) << (length - 1 - i);
    this.bits(r, length);
  }
  bytes(): Uint8Array {
    if (this.n > 0) this.bits(0, 8 - this.n);
    return this.out.subarray(0, this.at);
  }
}

/**
 * A raw deflate stream that inflates to `1 + 258 * copies` zero bytes (returned with that size).
 * @example const { raw, size } = zerosDeflate(4_000_000); // ~6.5 MB inflating to ~1 GiB
 */
export function zerosDeflate(copies: number): { raw: Uint8Array; size: number } {
  const w = new BitWriter(Math.ceil((3 + 8 + 13 * copies + 7) / 8) + 8);
  w.bits(1, 1); // BFINAL
  w.bits(1, 2); // BTYPE 01: fixed Huffman codes
  w.code(0x30, 8); // literal 0
  for (let i = 0; i < copies; i++) {
    w.code(0xc5, 8); // length code 285: 258 bytes
    w.code(0, 5); // distance code 0: distance 1
  }
  w.code(0, 7); // end of block
  return { raw: w.bytes(), size: 1 + 258 * copies };
}

/** An entry as the zip will hold it: stored bytes, or raw deflate data with the size to declare. */
export type BombEntry = { name: string; stored: Uint8Array } | { name: string; deflated: Uint8Array; declaredSize: number };

/**
 * A zip of the entries (no zip64: declared sizes must stay below 4 GiB; CRCs are left 0, readers here skip them).
 * @example const zip = zipOf([{ name: 'a.png', deflated: raw, declaredSize: 100 }]);
 */
export function zipOf(entries: readonly BombEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const data = 'stored' in e ? e.stored : e.deflated;
    const size = 'stored' in e ? e.stored.length : e.declaredSize;
    const method = 'stored' in e ? 0 : 8;
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, method, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, size, true);
    local.setUint16(26, name.length, true);
    const cd = new DataView(new ArrayBuffer(46));
    cd.setUint32(0, 0x02014b50, true);
    cd.setUint16(4, 20, true);
    cd.setUint16(6, 20, true);
    cd.setUint16(10, method, true);
    cd.setUint32(20, data.length, true);
    cd.setUint32(24, size, true);
    cd.setUint16(28, name.length, true);
    cd.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), name, data);
    central.push(new Uint8Array(cd.buffer), name);
    offset += 30 + name.length + data.length;
  }
  const cdSize = central.reduce((a, p) => a + p.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of all) out.set(p, (at += p.length) - p.length);
  return out;
}
