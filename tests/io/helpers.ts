// Test helpers: a hand pickle writer (hostile pickles, legacy torch.save blobs), test data, shared assertions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, UnsafeCheckpointError } from '../../src/errors.js';
import { type TensorData, toFloat32 } from '../../src/io/tensor.js';
import { repoRoot } from '../fixtures.js';

/** Appends pickle opcodes to a byte list; every method returns `this` for chaining. */
export class PickleBuilder {
  readonly out: number[] = [];

  raw(...bytes: number[]): this {
    this.out.push(...bytes);
    return this;
  }
  ascii(text: string): this {
    for (const c of text) this.out.push(c.charCodeAt(0));
    return this;
  }
  u32(n: number): this {
    return this.raw(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  u64(n: bigint): this {
    for (let i = 0n; i < 8n; i++) this.out.push(Number((n >> (8n * i)) & 0xffn));
    return this;
  }
  proto(n: number): this {
    return this.raw(0x80, n);
  }
  /** BINUNICODE */
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.raw(0x58).u32(b.length).raw(...b);
  }
  /** SHORT_BINUNICODE */
  shortStr(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.raw(0x8c, b.length, ...b);
  }
  /** BININT */
  int(n: number): this {
    return this.raw(0x4a).u32(n >>> 0);
  }
  /** LONG1 (little-endian two's complement, 10 bytes for the legacy magic) */
  long1(v: bigint, size: number): this {
    this.raw(0x8a, size);
    for (let i = 0; i < size; i++) this.out.push(Number((BigInt.asUintN(8 * size, v) >> BigInt(8 * i)) & 0xffn));
    return this;
  }
  /** GLOBAL module\nname\n */
  global(module: string, name: string): this {
    return this.raw(0x63).ascii(`${module}\n${name}\n`);
  }
  /** SHORT_BINUNICODE x2 + STACK_GLOBAL */
  stackGlobal(module: string, name: string): this {
    return this.shortStr(module).shortStr(name).raw(0x93);
  }
  mark(): this { return this.raw(0x28); }
  tuple(): this { return this.raw(0x74); }
  tuple1(): this { return this.raw(0x85); }
  emptyTuple(): this { return this.raw(0x29); }
  emptyDict(): this { return this.raw(0x7d); }
  emptyList(): this { return this.raw(0x5d); }
  setitem(): this { return this.raw(0x73); }
  setitems(): this { return this.raw(0x75); }
  appends(): this { return this.raw(0x65); }
  reduce(): this { return this.raw(0x52); }
  binpersid(): this { return this.raw(0x51); }
  none(): this { return this.raw(0x4e); }
  bool(v: boolean): this { return this.raw(v ? 0x88 : 0x89); }
  stop(): this { return this.raw(0x2e); }
  /** A tuple of small non-negative ints (BININT + TUPLE). */
  ints(...v: number[]): this {
    this.mark();
    for (const x of v) this.int(x);
    return this.tuple();
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads a JSON file from tests/io/data. */
export function testData<T>(name: string): T {
  return JSON.parse(readFileSync(join(repoRoot, 'tests', 'io', 'data', name), 'utf8')) as T;
}

/** Hex string -> bytes. */
export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** [shape, dtype, sum, sum of |x|, first, last] of a tensor, from an independent NumPy reader. */
export type Digest = [number[], string, number, number, number | null, number | null];
/** folder -> network -> parameter name -> digest. */
export type Digests = Record<string, Record<string, Record<string, Digest>>>;

/** Checks every tensor of a state dict against digests written by an independent NumPy reader. */
export function assertMatchesDigests(sd: Map<string, TensorData>, expected: Record<string, Digest>, what: string): void {
  assert.deepEqual([...sd.keys()], Object.keys(expected), `${what}: parameter names and order`);
  for (const [name, [shape, dtype, sum, sumAbs, first, last]] of Object.entries(expected)) {
    const t = sd.get(name)!;
    assert.deepEqual(t.shape, shape, `${what} ${name} shape`);
    assert.equal(t.dtype, dtype, `${what} ${name} dtype`);
    const v = toFloat32(t);
    assert.equal(v.length, shape.reduce((a, b) => a * b, 1));
    if (first !== null) assert.equal(v[0], first, `${what} ${name} first value`);
    if (last !== null) assert.equal(v[v.length - 1], last, `${what} ${name} last value`);
    let s = 0;
    for (const x of v) s += x;
    assert.ok(Math.abs(s - sum) <= 1e-9 * (sumAbs + 1), `${what} ${name} sum ${s} vs ${sum}`);
  }
}

/** Asserts `fn` throws `cls` (exactly CheckpointError unless `cls` is the unsafe subclass) with a one-line message matching `re`. */
export function throwsClear(fn: () => unknown, cls: typeof CheckpointError, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    if (cls === CheckpointError) assert.ok(!(e instanceof UnsafeCheckpointError), `unexpected UnsafeCheckpointError: ${(e as Error).message}`);
    const msg = (e as Error).message;
    assert.ok(!msg.includes('\n'), `message is not one line: ${msg}`);
    assert.match(msg, re);
    return true;
  });
}
