// Data movement: squeeze/unsqueeze, transpose, narrow, split, concat, tile (reshape and expand are in base.ts,
// slice and flip in pad.ts beside their adjoint).
import { GraphError } from '../../errors.js';
import { fmt, normAxis, sizeOf, stridesOf } from '../shape.js';
import { apply1, expect, type NDArray, type OpDef, type Tensor } from '../tensor.js';
import { unravel, zerosND } from './refutil.js';
import { reshape, sum } from './base.js';
import { slice } from './pad.js';

/** Inserts a length-1 axis. @example unsqueeze(x, 0) */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis('Unsqueeze', axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Removes length-1 axes (all when omitted). @example squeeze(x, [2, 3]) */
export function squeeze(x: Tensor, axes?: readonly number[]): Tensor {
  const drop = axes ? axes.map((a) => normAxis('Squeeze', a, x.rank)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of drop) expect('Squeeze', x.shape[a] === 1, `axis ${a} of length 1`, `shape ${fmt(x.shape)}`);
  return reshape(x, x.shape.filter((_, i) => !drop.includes(i)));
}

interface TransposeAttrs {
  perm: number[];
}
function refTranspose(x: NDArray, perm: readonly number[]): NDArray {
  const outShape = perm.map((p) => x.shape[p]!);
  const out = zerosND(outShape, x.dtype);
  const inStrides = stridesOf(x.shape);
  for (let n = 0; n < out.data.length; n++) {
    const idx = unravel(n, outShape);
    let o = 0;
    for (let d = 0; d < perm.length; d++) o += idx[d]! * inStrides[perm[d]!]!;
    out.data[n] = x.data[o]!;
  }
  return out;
}
const TRANSPOSE: OpDef<TransposeAttrs> = {
  type: 'Transpose',
  infer: ([x], a) => {
    const ok = a.perm.length === x!.rank && [...a.perm].sort((p, q) => p - q).every((p, i) => p === i);
    expect('Transpose', ok, `a permutation of ${x!.rank} axes`, fmt(a.perm));
    return [{ shape: a.perm.map((p) => x!.shape[p]!), dtype: x!.dtype }];
  },
  emit: (e, n) => e.node('Transpose', [e.name(n.inputs[0]!)], [e.out(n)], { perm: { ints: n.attrs.perm } }),
  ref: ([x], a) => [refTranspose(x!, a.perm)],
  vjp: (n, [dy]) => {
    const inv = new Array<number>(n.attrs.perm.length);
    n.attrs.perm.forEach((p, i) => (inv[p] = i));
    return [transpose(dy!, inv)];
  },
};

/** Permutes axes (reverses them when perm is omitted). @example transpose(w, [1, 0, 2, 3]) */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? [...perm] : x.shape.map((_, i) => x.rank - 1 - i);
  return p.every((v, i) => v === i) ? x : apply1(TRANSPOSE, [x], { perm: p });
}

/** x[start:end] along one axis. @example narrow(ws, 1, 0, 2) */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  return slice(x, [{ axis, start, end: start + length }]);
}

/** Splits along an axis into pieces of the given sizes. @example split(x, 1, [3, 1]) */
export function split(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  let at = 0;
  return sizes.map((s) => {
    const piece = narrow(x, axis, at, s);
    at += s;
    return piece;
  });
}

interface ConcatAttrs {
  axis: number;
}
const CONCAT: OpDef<ConcatAttrs> = {
  type: 'Concat',
  infer: (xs, a) => {
    const first = xs[0]!;
    let total = 0;
    for (const x of xs) {
      const ok = x.rank === first.rank && x.dtype === first.dtype && x.shape.every((d, i) => i === a.axis || d === first.shape[i]);
      expect('Concat', ok, `shapes matching ${fmt(first.shape)} except on axis ${a.axis}`, fmt(x.shape));
      total += x.shape[a.axis]!;
    }
    const shape = [...first.shape];
    shape[a.axis] = total;
    return [{ shape, dtype: first.dtype }];
  },
  emit: (e, n) => e.concat(n.inputs.map((t) => e.name(t)), e.out(n), n.attrs.axis),
  ref: (xs, a) => {
    const shape = [...xs[0]!.shape];
    shape[a.axis] = xs.reduce((p, x) => p + x.shape[a.axis]!, 0);
    const out = zerosND(shape, xs[0]!.dtype);
    const outer = sizeOf(shape.slice(0, a.axis));
    let o = 0;
    for (let i = 0; i < outer; i++) {
      for (const x of xs) {
        const chunk = sizeOf(x.shape.slice(a.axis));
        out.data.set(x.data.subarray(i * chunk, (i + 1) * chunk), o);
        o += chunk;
      }
    }
    return [out];
  },
  vjp: (n, [dy]) => split(dy!, n.attrs.axis, n.inputs.map((t) => t.shape[n.attrs.axis]!)),
};

/** Joins tensors along an axis. @example concat([x, y], 1) */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new GraphError('Concat: expected at least one tensor, got none');
  if (xs.length === 1) return xs[0]!;
  return apply1(CONCAT, xs, { axis: normAxis('Concat', axis, xs[0]!.rank) });
}

/** Stacks tensors along a new axis. @example stack([a, b], 0) */
export function stack(xs: readonly Tensor[], axis: number): Tensor {
  return concat(xs.map((x) => unsqueeze(x, axis)), axis);
}

interface TileAttrs {
  reps: number[];
}
const TILE: OpDef<TileAttrs> = {
  type: 'Tile',
  infer: ([x], a) => {
    expect('Tile', a.reps.length === x!.rank, `${x!.rank} repeat counts`, fmt(a.reps));
    return [{ shape: x!.shape.map((d, i) => d * a.reps[i]!), dtype: x!.dtype }];
  },
  emit: (e, n) => e.node('Tile', [e.name(n.inputs[0]!), e.ints(n.attrs.reps)], [e.out(n)]),
  ref: ([x], a) => {
    const shape = x!.shape.map((d, i) => d * a.reps[i]!);
    const out = zerosND(shape, x!.dtype);
    const st = stridesOf(x!.shape);
    for (let n = 0; n < out.data.length; n++) {
      const idx = unravel(n, shape);
      out.data[n] = x!.data[idx.reduce((o, v, d) => o + (v % x!.shape[d]!) * st[d]!, 0)]!;
    }
    return [out];
  },
  // Gradient: view dy as [r0, d0, r1, d1, ...] and sum over the repeat axes.
  vjp: (n, [dy]) => {
    const x = n.inputs[0]!;
    const inter = x.shape.flatMap((d, i) => [n.attrs.reps[i]!, d]);
    return [reshape(sum(reshape(dy!, inter), x.shape.map((_, i) => 2 * i)), x.shape)];
  },
};

/** Repeats along each axis, as torch.Tensor.repeat. @example tile(x, [n, 1, 1, 1]) */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  return reps.every((r) => r === 1) ? x : apply1(TILE, [x], { reps: [...reps] });
}
