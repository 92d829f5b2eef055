// Padding with constants or reflection (negative amounts crop), and its gradient.
import { GraphError } from '../../errors.js';
import { fmt, stridesOf } from '../shape.js';
import { apply1, expect, type OpDef, type Tensor } from '../tensor.js';
import { add } from './elementwise.js';
import { unravel, zerosND } from './refutil.js';
import { flip, slice } from './shape-ops.js';

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
