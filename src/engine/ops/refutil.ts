// Helpers shared by the reference (plain TypeScript) implementations of ops.
import type { DType } from '../dtype.js';
import { sizeOf, stridesOf, type Shape } from '../shape.js';
import type { NDArray } from '../tensor.js';

/** Allocates a zero NDArray. */
export function zerosND(shape: Shape, dtype: DType = 'float32'): NDArray {
  return { shape: [...shape], dtype, data: new Float64Array(sizeOf(shape)) };
}

/** Strides of `shape` aligned right against an output of rank `rank`, 0 on broadcast dimensions. */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const st = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((d, i) => (i < off || shape[i - off] === 1 ? 0 : st[i - off]!));
}

/** Element-wise map over broadcast inputs into an array of `outShape`. */
export function broadcastMap(outShape: Shape, dtype: DType, ins: readonly NDArray[], f: (...v: number[]) => number): NDArray {
  const out = zerosND(outShape, dtype);
  // Inputs of the output's size or of one element: a flat loop (the common case, and much faster).
  if (ins.every((a) => a.data.length === out.data.length || a.data.length === 1)) {
    const [a, b, c] = ins.map((t) => t.data);
    const [sa, sb, sc] = ins.map((t) => (t.data.length === 1 ? 0 : 1));
    const o = out.data;
    if (ins.length === 1) for (let n = 0; n < o.length; n++) o[n] = f(a![n * sa!]!);
    else if (ins.length === 2) for (let n = 0; n < o.length; n++) o[n] = f(a![n * sa!]!, b![n * sb!]!);
    else if (ins.length === 3) for (let n = 0; n < o.length; n++) o[n] = f(a![n * sa!]!, b![n * sb!]!, c![n * sc!]!);
    else for (let n = 0; n < o.length; n++) o[n] = f(...ins.map((t) => t.data[t.data.length === 1 ? 0 : n]!));
    return out;
  }
  const strides = ins.map((a) => broadcastStrides(a.shape, outShape));
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  const offs = new Array<number>(ins.length).fill(0);
  const vals = new Array<number>(ins.length);
  for (let n = 0; n < out.data.length; n++) {
    for (let k = 0; k < ins.length; k++) vals[k] = ins[k]!.data[offs[k]!]!;
    out.data[n] = f(...vals);
    // Advance the multi-index and every input offset.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < ins.length; k++) offs[k]! += strides[k]![d]!;
      if (idx[d]! < outShape[d]!) break;
      for (let k = 0; k < ins.length; k++) offs[k]! -= strides[k]![d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Rounds to float32 when the element type is float32 (reference maths runs in float64). */
export function castValue(v: number, dtype: DType): number {
  if (dtype === 'bool') return v ? 1 : 0;
  if (dtype === 'int64' || dtype === 'int32') return Math.trunc(v);
  return v;
}

/** Multi-index of flat position `n` in `shape`. */
export function unravel(n: number, shape: Shape): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = n % shape[d]!;
    n = Math.floor(n / shape[d]!);
  }
  return idx;
}

/** erf(x) to near double precision: Maclaurin series below 3, continued fraction for erfc above. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) evaluated bottom-up.
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}
