// Padding with constants or reflection (negative amounts crop), slicing and flipping: each other's adjoints.
import { GraphError } from '../../errors.js';
import { fmt, normAxis, type Shape, stridesOf } from '../shape.js';
import { apply1, expect, type OpDef, type Tensor } from '../tensor.js';
import { add } from './elementwise.js';
import { unravel, zerosND } from './refutil.js';
import { reshape } from './base.js';

export type PadMode = 'constant' | 'reflect';
interface PadAttrs {
  pads: [number, number][];
  mode: PadMode;
  value: number;
}

/** Index of the input element that output index j (of an axis of length n padded by p0 before) copies, or -1. */
function source(j: number, n: number, p0: number, mode: PadMode): number {
  let i = j - p0;
  if (mode === 'constant') return i >= 0 && i < n ? i : -1;
  if (i < 0) i = -i;
  if (i >= n) i = 2 * (n - 1) - i;
  return i;
}

const PAD: OpDef<PadAttrs> = {
  type: 'Pad',
  infer: ([x], a) => {
    expect('Pad', a.pads.length === x!.rank, `${x!.rank} (before, after) pairs`, `${a.pads.length}`);
    if (a.mode === 'reflect') {
      a.pads.forEach(([b, e], i) => {
        if (b >= x!.shape[i]! || e >= x!.shape[i]!) {
          throw new GraphError(`Pad: reflect padding (${b}, ${e}) must be smaller than dimension ${i} of ${fmt(x!.shape)}`);
        }
      });
    }
    return [{ shape: x!.shape.map((d, i) => d + a.pads[i]![0] + a.pads[i]![1]), dtype: x!.dtype }];
  },
  emit: (e, n) => {
    const p = n.attrs.pads;
    const ins = [e.name(n.inputs[0]!), e.ints([...p.map((q) => q[0]), ...p.map((q) => q[1])])];
    ins.push(n.attrs.mode === 'constant' ? e.constant(n.inputs[0]!.dtype, [], [n.attrs.value]) : '');
    // The explicit `axes` input keeps onnxruntime's PadFusion away: it folds a zero Pad into whichever Conv
    // consumes it but always rewires the Conv's input 0, corrupting graphs where the Pad feeds the weight.
    // (WebGPU's Pad has no `axes` input; there the Pad stays in its plain form.)
    if (!e.compat.webgpu) ins.push(e.ints(p.map((_, i) => i)));
    else if (ins[ins.length - 1] === '') ins.pop();
    e.node('Pad', ins, [e.out(n)], { mode: { s: n.attrs.mode } });
  },
  ref: ([x], a) => {
    const shape = x!.shape.map((d, i) => d + a.pads[i]![0] + a.pads[i]![1]);
    const out = zerosND(shape, x!.dtype);
    const st = stridesOf(x!.shape);
    for (let n = 0; n < out.data.length; n++) {
      const idx = unravel(n, shape);
      let o = 0;
      let inside = true;
      idx.forEach((j, d) => {
        const i = source(j, x!.shape[d]!, a.pads[d]![0], a.mode);
        if (i < 0) inside = false;
        o += i * st[d]!;
      });
      out.data[n] = inside ? x!.data[o]! : a.value;
    }
    return [out];
  },
  vjp: (n, [dy]) => {
    const x = n.inputs[0]!;
    let g = dy!;
    n.attrs.pads.forEach(([p0, p1], axis) => {
      if (p0 === 0 && p1 === 0) return;
      const len = x.shape[axis]!;
      const center = slice(g, [{ axis, start: p0, end: p0 + len }]);
      if (n.attrs.mode === 'constant') {
        g = center;
        return;
      }
      // Reflected borders fold back onto input rows 1..p0 and n-1-p1..n-2.
      let acc = center;
      if (p0 > 0) acc = add(acc, padOrCrop(flip(slice(g, [{ axis, start: 0, end: p0 }]), [axis]), axis, 1, len - 1 - p0));
      if (p1 > 0) acc = add(acc, padOrCrop(flip(slice(g, [{ axis, start: p0 + len }]), [axis]), axis, len - 1 - p1, 1));
      g = acc;
    });
    return [g];
  },
};

/**
 * Pads every axis by (before, after); negative amounts crop. Modes: 'constant' (with `value`) or 'reflect'.
 * @example pad(x, [[0, 0], [0, 0], [1, 1], [1, 1]], 'reflect')
 */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], mode: PadMode = 'constant', value = 0): Tensor {
  expect('Pad', pads.length === x.rank, `${x.rank} (before, after) pairs for shape ${fmt(x.shape)}`, `${pads.length}`);
  // Crop first where amounts are negative.
  const crops = pads.flatMap(([b, e], axis) => (b < 0 || e < 0 ? [{ axis, start: Math.max(-b, 0), end: x.shape[axis]! - Math.max(-e, 0) }] : []));
  const cropped = crops.length ? slice(x, crops) : x;
  const pos = pads.map(([b, e]) => [Math.max(b, 0), Math.max(e, 0)] as [number, number]);
  if (pos.every(([b, e]) => b === 0 && e === 0)) return cropped;
  return apply1(PAD, [cropped], { pads: pos, mode, value });
}

/** Zero-pads (positive) or crops (negative) one axis. */
export function padOrCrop(x: Tensor, axis: number, before: number, after: number): Tensor {
  const pads = x.shape.map((): [number, number] => [0, 0]);
  pads[axis] = [before, after];
  return pad(x, pads);
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
