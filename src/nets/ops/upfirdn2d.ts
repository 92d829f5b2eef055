// upfirdn2d: upsample (zero insertion), pad, FIR filter, downsample, as torch_utils/ops/upfirdn2d.py.
// `upfirdn2dRef` follows the official `_upfirdn2d_ref` op for op; `upfirdn2d` is the fast formulation
// (a strided transposed conv for upsampling, a strided depthwise conv for downsampling).
import { InputError } from '../../errors.js';
import * as E from '../../engine/index.js';

/** A 2-D FIR filter [fh, fw], row-major. */
export interface Filter {
  data: Float32Array;
  shape: [number, number];
}

/**
 * The official setup_filter: a 1-D filter becomes its normalised outer product; a 2-D one is normalised.
 * @example setupFilter([1, 3, 3, 1]) // 4x4, sums to 1
 */
export function setupFilter(f: readonly number[] | Filter, gain = 1, flip = false): Filter {
  let data: Float64Array;
  let shape: [number, number];
  if (Array.isArray(f)) {
    const v = f as readonly number[];
    data = new Float64Array(v.length * v.length).map((_, i) => v[Math.floor(i / v.length)]! * v[i % v.length]!);
    shape = [v.length, v.length];
  } else {
    const g = f as Filter;
    data = Float64Array.from(g.data);
    shape = [...g.shape];
  }
  const total = data.reduce((a, b) => a + b, 0);
  data = data.map((v) => (v / total) * gain);
  if (flip) data.reverse();
  return { data: Float32Array.from(data), shape };
}

/** Padding as [x0, x1, y0, y1] (the official order). */
export type Pad4 = [number, number, number, number];

export interface UpFirDnOptions {
  up?: number;
  down?: number;
  /** p or [x0, x1, y0, y1]; negative values crop. */
  padding?: number | Pad4;
  flipFilter?: boolean;
  gain?: number;
  /** Run an outer-product filter as two 1-D passes (default true; false forces one 2-D pass). */
  separable?: boolean;
}

function parse(x: E.Tensor, o: UpFirDnOptions) {
  const up = o.up ?? 1;
  const down = o.down ?? 1;
  if (!Number.isInteger(up) || up < 1 || !Number.isInteger(down) || down < 1) throw new InputError(`upfirdn2d: up and down must be positive integers, got ${up}, ${down}`);
  if (x.rank !== 4) throw new InputError(`upfirdn2d: expected x [N,C,H,W], got [${x.shape}]`);
  const p = o.padding ?? 0;
  const pad: Pad4 = typeof p === 'number' ? [p, p, p, p] : p;
  return { up, down, pad, flip: o.flipFilter ?? false, gain: o.gain ?? 1 };
}

/** The filter's row and column factors when it is an outer product (like setup_filter([1,3,3,1])), else null. */
export function separableFactors(f: Filter): { col: Filter; row: Filter } | null {
  const [fh, fw] = f.shape;
  const d = f.data;
  if (fh < 2 || fw < 2 || d[0] === 0) return null;
  const col = Float32Array.from({ length: fh }, (_, i) => d[i * fw]!); // first column
  const row = Float32Array.from({ length: fw }, (_, j) => d[j]! / d[0]!); // first row, normalised
  const scale = Math.max(...Array.from(d, Math.abs));
  for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) if (Math.abs(col[i]! * row[j]! - d[i * fw + j]!) > 1e-6 * scale) return null;
  return { col: { data: col, shape: [fh, 1] }, row: { data: row, shape: [1, fw] } };
}

/** The filter as a depthwise conv weight [C, 1, fh, fw], scaled by gain^(ndim/2) and flipped unless flipFilter. */
function depthwiseWeight(f: Filter, channels: number, gain: number, flip: boolean): E.Tensor {
  const [fh, fw] = f.shape;
  const k = new Float32Array(fh * fw);
  // 2-D filters get gain^(2/2) = gain; conv2d correlates, so the filter is flipped for a true convolution.
  for (let i = 0; i < k.length; i++) k[i] = f.data[flip ? i : k.length - 1 - i]! * gain;
  const w = new Float32Array(channels * k.length);
  for (let c = 0; c < channels; c++) w.set(k, c * k.length);
  return E.constant(w, [channels, 1, fh, fw]);
}

/**
 * Reference path: the official `_upfirdn2d_ref` (zero insertion, pad/crop, depthwise conv, [::down]).
 * @example upfirdn2dRef(x, f, { up: 2, padding: [2, 1, 2, 1], gain: 4 })
 */
export function upfirdn2dRef(x: E.Tensor, f: Filter, opts: UpFirDnOptions = {}): E.Tensor {
  const { up, down, pad, flip, gain } = parse(x, opts);
  const [N, C, H, W] = x.shape as number[];
  // Upsample by inserting zeros.
  let y = E.reshape(x, [N!, C!, H!, 1, W!, 1]);
  y = E.pad(y, [[0, 0], [0, 0], [0, 0], [0, up - 1], [0, 0], [0, up - 1]]);
  y = E.reshape(y, [N!, C!, H! * up, W! * up]);
  // Pad or crop.
  y = E.pad(y, [[0, 0], [0, 0], [pad[2], pad[3]], [pad[0], pad[1]]]);
  // Convolve with the filter.
  y = E.conv2d(y, depthwiseWeight(f, C!, gain, flip), { groups: C! });
  // Downsample by throwing away pixels.
  return down > 1 ? E.slice(y, [{ axis: 2, step: down }, { axis: 3, step: down }]) : y;
}

/**
 * Fast path with the same result: upsampling as a grouped transposed conv of stride `up`, downsampling
 * as a depthwise conv of stride `down`, plain filtering as one depthwise conv.
 * @example upfirdn2d(x, f, { down: 2, padding: 1 })
 */
export function upfirdn2d(x: E.Tensor, f: Filter, opts: UpFirDnOptions = {}): E.Tensor {
  const { up, down, pad, flip, gain } = parse(x, opts);
  const C = x.shape[1]!;
  const [fh, fw] = f.shape;
  if (up === 1) {
    // Pad (negative crops) and filter at stride `down`: y[::down] of the full filtered map; an outer-product
    // filter runs as two 1-D passes (fewer multiply-adds, measurably faster at high resolution).
    const sep = opts.separable === false ? null : separableFactors(f);
    if (sep) {
      const y = E.conv2d(x, depthwiseWeight(sep.col, C, gain, flip), { groups: C, stride: [down, 1], padding: [pad[2], 0, pad[3], 0] });
      return E.conv2d(y, depthwiseWeight(sep.row, C, 1, flip), { groups: C, stride: [1, down], padding: [0, pad[0], 0, pad[1]] });
    }
    return E.conv2d(x, depthwiseWeight(f, C, gain, flip), { groups: C, stride: down, padding: [pad[2], pad[0], pad[3], pad[1]] });
  }
  // y[m] = sum_i x[i] g[up*i - m + p0] with g the flipped filter == conv_transpose with stride up, pads fw-1-p0 and fw-up-p1.
  const pads = [fh - 1 - pad[2], fw - 1 - pad[0], fh - up - pad[3], fw - up - pad[1]];
  const w = depthwiseWeight(f, C, gain, !flip); // conv_transpose applies the kernel unflipped
  let y = E.convTranspose2d(x, w, { stride: up, groups: C, padding: pads.map((p) => Math.max(p, 0)) as Pad4 });
  // Negative transposed-conv padding means the output extends past every contribution: zeros.
  if (pads.some((p) => p < 0)) y = E.pad(y, [[0, 0], [0, 0], [Math.max(-pads[0]!, 0), Math.max(-pads[2]!, 0)], [Math.max(-pads[1]!, 0), Math.max(-pads[3]!, 0)]]);
  return down > 1 ? E.slice(y, [{ axis: 2, step: down }, { axis: 3, step: down }]) : y;
}

/** Official upsample2d: up by `up` with padding that keeps the image centred, gain up^2. */
export function upsample2d(x: E.Tensor, f: Filter, up = 2, padding = 0, gain = 1): E.Tensor {
  const [fh, fw] = f.shape;
  const p: Pad4 = [padding + Math.floor((fw + up - 1) / 2), padding + Math.floor((fw - up) / 2), padding + Math.floor((fh + up - 1) / 2), padding + Math.floor((fh - up) / 2)];
  return upfirdn2d(x, f, { up, padding: p, gain: gain * up * up });
}

/** Official downsample2d: down by `down` with centring padding. */
export function downsample2d(x: E.Tensor, f: Filter, down = 2, padding = 0, gain = 1): E.Tensor {
  const [fh, fw] = f.shape;
  const p: Pad4 = [padding + Math.floor((fw - down + 1) / 2), padding + Math.floor((fw - down) / 2), padding + Math.floor((fh - down + 1) / 2), padding + Math.floor((fh - down) / 2)];
  return upfirdn2d(x, f, { down, padding: p, gain });
}
