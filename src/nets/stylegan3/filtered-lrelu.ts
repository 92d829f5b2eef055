// filtered_lrelu (torch_utils/ops/filtered_lrelu.py): bias, upsample with an FIR filter, leaky ReLU with gain
// and clamp, FIR filter and downsample. `filteredLreluRef` is the official `_filtered_lrelu_ref` (two upfirdn2d
// calls around bias_act); `filteredLrelu` is the fast path: separable filters as 1-D passes (transposed conv
// of stride `up` for the up pass, conv of stride `down` for the down pass: no zeros inserted, no samples
// computed then dropped), the gain folded into the up filter (lrelu(v) * g = lrelu(v * g) for g > 0).
import { InputError } from '../../errors.js';
import * as E from '../../engine/index.js';
import { upfirdn2dRef } from '../ops/upfirdn2d.js';
import { filter2d, filterTaps, type LowpassFilter } from './filters.js';

export interface FilteredLreluOptions {
  fu: LowpassFilter; // up-sampling filter (null = identity)
  fd: LowpassFilter; // down-sampling filter (null = identity)
  b?: E.Tensor | null; // bias [C]
  up?: number;
  down?: number;
  padding: [number, number, number, number]; // [x0, x1, y0, y1] w.r.t. the upsampled image; negative crops
  gain?: number; // default sqrt(2)
  slope?: number; // negative slope of the leaky ReLU, default 0.2 (1 = linear)
  clamp?: number | null;
}

function parse(x: E.Tensor, o: FilteredLreluOptions) {
  const up = o.up ?? 1;
  const down = o.down ?? 1;
  if (x.rank !== 4) throw new InputError(`filtered_lrelu: expected x [N, C, H, W], got [${x.shape}]`);
  if (!Number.isInteger(up) || up < 1 || !Number.isInteger(down) || down < 1) throw new InputError(`filtered_lrelu: up and down must be positive integers, got ${up}, ${down}`);
  const gain = o.gain ?? Math.SQRT2;
  const slope = o.slope ?? 0.2;
  if (!(gain > 0) || !(slope >= 0)) throw new InputError(`filtered_lrelu: gain must be positive and slope non-negative, got ${gain}, ${slope}`);
  const [, , H, W] = x.shape as number[];
  const [px0, px1, py0, py1] = o.padding;
  const fu = filterTaps(o.fu);
  const fd = filterTaps(o.fd);
  const outW = Math.floor((W! * up + px0 + px1 - (fu - 1) - (fd - 1) + (down - 1)) / down);
  const outH = Math.floor((H! * up + py0 + py1 - (fu - 1) - (fd - 1) + (down - 1)) / down);
  if (outW < 1 || outH < 1) throw new InputError(`filtered_lrelu: input [${x.shape}] is too small for these filters and paddings`);
  return { up, down, gain, slope, clamp: o.clamp ?? null, outH, outW };
}

/** Adds a per-channel bias [C] to x [N, C, H, W]. */
function addBias(x: E.Tensor, b: E.Tensor | null | undefined): E.Tensor {
  return b ? E.add(x, E.reshape(b, [1, x.shape[1]!, 1, 1])) : x;
}

/** Leaky ReLU (identity for slope 1), then the clamp. */
function lreluClamp(x: E.Tensor, slope: number, clamp: number | null): E.Tensor {
  const y = slope === 1 ? x : E.leakyRelu(x, slope);
  return clamp === null ? y : E.clip(y, -clamp, clamp);
}

/**
 * Reference path: the official `_filtered_lrelu_ref`.
 * @example filteredLreluRef(x, { fu, fd, b, up: 2, down: 2, padding: [11, 10, 11, 10], clamp: 256 })
 */
export function filteredLreluRef(x: E.Tensor, o: FilteredLreluOptions): E.Tensor {
  const { up, down, gain, slope, clamp, outH, outW } = parse(x, o);
  let y = addBias(x, o.b);
  y = upfirdn2dRef(y, filter2d(o.fu), { up, padding: o.padding, gain: up * up });
  y = lreluClamp(gain === 1 ? y : E.mul(y, gain), slope, clamp);
  y = upfirdn2dRef(y, filter2d(o.fd), { down });
  if (y.shape[2] !== outH || y.shape[3] !== outW) throw new InputError(`filtered_lrelu: internal size mismatch ${y.shape} vs ${outH}x${outW}`);
  return y;
}

/** Depthwise weight [C, 1, kh, kw] of a kernel (row-major data), scaled, tiled over channels. */
function depthwise(k: Float32Array | Float64Array, kh: number, kw: number, channels: number, scale: number): E.Tensor {
  const w = new Float32Array(channels * kh * kw);
  for (let c = 0; c < channels; c++) for (let i = 0; i < kh * kw; i++) w[c * kh * kw + i] = k[i]! * scale;
  return E.constant(w, [channels, 1, kh, kw]);
}

/**
 * One axis of upfirdn: insert up-1 zeros, pad p0/p1 (negative crops), convolve with taps, keep every `down`-th
 * sample; as a transposed conv of stride `up` (up > 1) or a conv of stride `down` (up = 1).
 */
function firAxis(x: E.Tensor, axis: 2 | 3, taps: Float32Array, up: number, down: number, p0: number, p1: number, scale: number): E.Tensor {
  const C = x.shape[1]!;
  const L = x.shape[axis]!;
  const K = taps.length;
  const flipped = Float32Array.from(taps).reverse(); // conv2d correlates: flip for a true convolution
  const shape = (k: number): [number, number] => (axis === 2 ? [k, 1] : [1, k]);
  const pad4 = (a: number, b: number): [number, number, number, number] => (axis === 2 ? [a, 0, b, 0] : [0, a, 0, b]);
  const pair = (v: number): [number, number] => (axis === 2 ? [v, 1] : [1, v]);
  if (up === 1) {
    const [kh, kw] = shape(K);
    return E.conv2d(x, depthwise(flipped, kh, kw, C, scale), { groups: C, stride: pair(down), padding: pad4(p0, p1) });
  }
  if (down !== 1) throw new InputError('filtered_lrelu: one pass cannot both up- and downsample');
  // y[m] = full[m + K - 1 - p0] of the full transposed convolution (length (L - 1) * up + K), which applies taps unflipped.
  const M = L * up + p0 + p1 - (K - 1);
  const start = K - 1 - p0;
  const end = (L - 1) * up + K - (start + M);
  const [kh, kw] = shape(K);
  let y = E.convTranspose2d(x, depthwise(taps, kh, kw, C, scale), { groups: C, stride: pair(up), padding: pad4(Math.max(start, 0), Math.max(end, 0)) });
  if (start < 0 || end < 0) y = E.pad(y, y.shape.map((_, i): [number, number] => (i === axis ? [Math.max(-start, 0), Math.max(-end, 0)] : [0, 0])));
  return y;
}

/**
 * Fast path with the same result (within float32 rounding).
 * @example filteredLrelu(x, { fu, fd, b, up: 2, down: 2, padding: [11, 10, 11, 10], clamp: 256 })
 */
export function filteredLrelu(x: E.Tensor, o: FilteredLreluOptions): E.Tensor {
  const { up, down, gain, slope, clamp, outH, outW } = parse(x, o);
  const [px0, px1, py0, py1] = o.padding;
  let y = addBias(x, o.b);
  // Up pass (identity filter: zero insertion and padding only), with the activation gain folded in.
  if (o.fu === null) {
    if (up !== 1) y = upfirdn2dRef(y, filter2d(null), { up, padding: o.padding, gain: up * up * gain });
    else {
      y = E.pad(y, [[0, 0], [0, 0], [py0, py1], [px0, px1]]);
      if (gain !== 1) y = E.mul(y, gain);
    }
  } else if (o.fu.kind === 'separable') {
    y = firAxis(y, 3, o.fu.taps, up, 1, px0, px1, up * gain);
    y = firAxis(y, 2, o.fu.taps, up, 1, py0, py1, up);
  } else {
    y = upfirdn2dRef(y, o.fu.kernel, { up, padding: o.padding, gain: up * up * gain });
  }
  y = lreluClamp(y, slope, clamp);
  // Down pass: filter at stride `down`.
  if (o.fd === null) {
    if (down !== 1) y = E.slice(y, [{ axis: 2, step: down }, { axis: 3, step: down }]);
  } else if (o.fd.kind === 'separable') {
    y = firAxis(y, 3, o.fd.taps, 1, down, 0, 0, 1);
    y = firAxis(y, 2, o.fd.taps, 1, down, 0, 0, 1);
  } else {
    const [kh, kw] = o.fd.kernel.shape;
    const flipped = Float32Array.from(o.fd.kernel.data).reverse();
    y = E.conv2d(y, depthwise(flipped, kh, kw, y.shape[1]!, 1), { groups: y.shape[1]!, stride: down });
  }
  if (y.shape[2] !== outH || y.shape[3] !== outW) throw new InputError(`filtered_lrelu: internal size mismatch [${y.shape}] vs ${outH}x${outW}`);
  return y;
}
