// Data movement: reshape, transpose, expand (broadcast), slice, flip, concat, tile.
import { GraphError } from '../../errors.js';
import { broadcastShapes, fmt, normAxis, sameShape, sizeOf, stridesOf, type Shape } from '../shape.js';
import { apply1, expect, type NDArray, type OpDef, type Tensor } from '../tensor.js';
import { broadcastMap, unravel, zerosND } from './refutil.js';
import { sum, sumToShape } from './reduce.js';
import { padOrCrop } from './pad.js';

interface ReshapeAttrs {
  shape: number[];
}
const RESHAPE: OpDef<ReshapeAttrs> = {
  type: 'Reshape',
  infer: ([x], a) => [{ shape: a.shape, dtype: x!.dtype }],
  emit: (e, n) => e.node('Reshape', [e.name(n.inputs[0]!), e.ints(n.attrs.shape)], [e.out(n)]),
  ref: ([x], a) => [{ ...x!, shape: a.shape }],
  vjp: (n, [dy]) => [reshape(dy!, n.inputs[0]!.shape)],
};

/** Reshapes (one dimension may be -1). @example reshape(x, [1, -1]) */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const free = shape.filter((d) => d === -1).length;
  const resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  if (free > 1 || !Number.isInteger(sizeOf(resolved)) || sizeOf(resolved) !== x.size || resolved.some((d) => !Number.isInteger(d))) {
    throw new GraphError(`Reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)}`);
  }
  return sameShape(resolved, x.shape) ? x : apply1(RESHAPE, [x], { shape: resolved });
}

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

interface ExpandAttrs {
  shape: number[];
}
const EXPAND: OpDef<ExpandAttrs> = {
  type: 'Expand',
  infer: ([x], a) => {
    const s = broadcastShapes('Expand', x!.shape, a.shape);
    expect('Expand', sameShape(s, a.shape), `a shape that ${fmt(x!.shape)} broadcasts to`, fmt(a.shape));
    return [{ shape: s, dtype: x!.dtype }];
  },
  emit: (e, n) => e.node('Expand', [e.name(n.inputs[0]!), e.ints(n.attrs.shape)], [e.out(n)]),
  ref: ([x], a) => [broadcastMap(a.shape, x!.dtype, [x!], (v) => v)],
  vjp: (n, [dy]) => [sumToShape(dy!, n.inputs[0]!.shape)],
};

/** Broadcasts to a shape, as torch.expand. @example expand(b, [n, c, h, w]) */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  return sameShape(x.shape, shape) ? x : apply1(EXPAND, [x], { shape: [...shape] });
}

/** Resolved slice of one axis: element i of the output is input element start + i * step. */
interface AxisSlice {
  axis: number;
  start: number;
  step: number;
  count: number;
}
interface SliceAttrs {
  axes: AxisSlice[];
}
const SLICE: OpDef<SliceAttrs> = {
  type: 'Slice',
  infer: ([x], a) => {
    const shape = [...x!.shape];
    for (const s of a.axes) shape[s.axis] = s.count;
    return [{ shape, dtype: x!.dtype }];
  },
  emit: (e, n) => {
    const x = n.inputs[0]!;
    // WebGPU mis-slices negative steps: there they become Gathers of the explicit indices.
    const gathered = e.compat.webgpu ? n.attrs.axes.filter((s) => s.step < 0) : [];
    const ax = n.attrs.axes.filter((s) => !gathered.includes(s));
    let cur = e.name(x);
    gathered.forEach((s, i) => {
      const out = i === gathered.length - 1 && ax.length === 0 ? e.out(n) : e.tmp('flip');
      e.node('Gather', [cur, e.ints(Array.from({ length: s.count }, (_, k) => s.start + k * s.step))], [out], { axis: { i: s.axis } });
      cur = out;
    });
    if (ax.length === 0) return;
    // A negative-step slice that runs past index 0 needs an end below -dim (ONNX clamps it to "before 0").
    const ends = ax.map((s) => {
      const end = s.start + s.count * s.step;
      return end < 0 ? -x.shape[s.axis]! - 1 : end;
    });
    e.node('Slice', [cur, e.ints(ax.map((s) => s.start)), e.ints(ends), e.ints(ax.map((s) => s.axis)), e.ints(ax.map((s) => s.step))], [e.out(n)]);
  },
  ref: ([x], a) => {
    const outShape = [...x!.shape];
    for (const s of a.axes) outShape[s.axis] = s.count;
    const out = zerosND(outShape, x!.dtype);
    const st = stridesOf(x!.shape);
    const map = new Map(a.axes.map((s) => [s.axis, s]));
    for (let n = 0; n < out.data.length; n++) {
      const idx = unravel(n, outShape);
      let o = 0;
      idx.forEach((v, d) => {
        const s = map.get(d);
        o += (s ? s.start + v * s.step : v) * st[d]!;
      });
      out.data[n] = x!.data[o]!;
    }
    return [out];
  },
  vjp: (n, [dy]) => [sliceGrad(dy!, n.inputs[0]!.shape, n.attrs.axes)],
};

/** Scatters a slice's gradient back into zeros of the input shape, one axis at a time. */
function sliceGrad(dy: Tensor, inShape: Shape, axes: readonly AxisSlice[]): Tensor {
  let g = dy;
  for (const s of axes) {
    const dim = inShape[s.axis]!;
    let start = s.start;
    if (s.step < 0) {
      g = flip(g, [s.axis]);
      start = s.start + (s.count - 1) * s.step;
    }
    const k = Math.abs(s.step);
    if (k > 1) {
      // Zero-insertion: [.., c, ..] -> [.., c, k, ..] -> [.., c*k, ..] with the values at multiples of k.
      const sh = [...g.shape];
      g = reshape(g, [...sh.slice(0, s.axis + 1), 1, ...sh.slice(s.axis + 1)]);
      g = padOrCrop(g, s.axis + 1, 0, k - 1);
      sh[s.axis] = s.count * k;
      g = reshape(g, sh);
    }
    g = padOrCrop(g, s.axis, start, dim - start - g.shape[s.axis]!);
  }
  return g;
}

/**
 * Python-style slicing of several axes: `slice(x, [{axis: 2, start: 1, end: -1, step: 2}])` is x[:, :, 1:-1:2].
 * Bounds are clamped as in Python; steps may be negative.
 */
export function slice(x: Tensor, specs: readonly { axis: number; start?: number; end?: number; step?: number }[]): Tensor {
  const axes: AxisSlice[] = [];
  for (const spec of specs) {
    const axis = normAxis('Slice', spec.axis, x.rank);
    const dim = x.shape[axis]!;
    const step = spec.step ?? 1;
    if (!Number.isInteger(step) || step === 0) throw new GraphError(`Slice: step must be a non-zero integer, got ${step}`);
    // Python's slice.indices().
    const norm = (v: number | undefined, dflt: number, lo: number, hi: number): number => {
      if (v === undefined) return dflt;
      const r = v < 0 ? v + dim : v;
      return Math.min(Math.max(r, lo), hi);
    };
    const start = step > 0 ? norm(spec.start, 0, 0, dim) : norm(spec.start, dim - 1, -1, dim - 1);
    const end = step > 0 ? norm(spec.end, dim, 0, dim) : norm(spec.end, -1, -1, dim - 1);
    const count = Math.max(0, Math.ceil((end - start) / step));
    if (!(count === dim && step === 1)) axes.push({ axis, start, step, count });
  }
  return axes.length ? apply1(SLICE, [x], { axes }) : x;
}

/** Reverses the given axes, as torch.flip. @example flip(w, [2, 3]) */
export function flip(x: Tensor, axes: readonly number[]): Tensor {
  return slice(x, axes.filter((a) => x.shape[normAxis('Flip', a, x.rank)]! > 1).map((axis) => ({ axis, step: -1 })));
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
