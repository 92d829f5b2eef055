// filtered_lrelu (torch_utils/ops/filtered_lrelu.py): bias, upsample with an FIR filter, leaky ReLU with gain
// and clamp, FIR filter and downsample. `filteredLreluRef` is the official `_filtered_lrelu_ref` (two upfirdn2d
// calls around bias_act); `filteredLrelu` is the fast path: separable filters as 1-D passes (polyphase for the
// up pass, conv of stride `down` for the down pass: no zeros inserted, no samples computed then dropped),
// the gain folded into the up filter (lrelu(v) * g = lrelu(v * g) for g > 0).
// Up-sampling is polyphase: one depthwise conv per output phase (onnxruntime's grouped ConvTranspose and
// channel-multiplier convs take slow generic paths; depthwise convs do not). When down = up (most layers) the
// down pass runs on the phases directly; otherwise the x phases interleave on the small map and the y phases as rows.
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

/** A depthwise 1-D correlation along `axis` with padding [p0, p1] (negative crops) and a stride. */
function conv1d(x: E.Tensor, axis: 2 | 3, k: Float32Array, stride: number, p0: number, p1: number, scale: number): E.Tensor {
  const C = x.shape[1]!;
  const [kh, kw] = axis === 2 ? [k.length, 1] : [1, k.length];
  return E.conv2d(x, depthwise(k, kh, kw, C, scale), {
    groups: C,
    stride: axis === 2 ? [stride, 1] : [1, stride],
    padding: axis === 2 ? [p0, 0, p1, 0] : [0, p0, 0, p1],
  });
}

/**
 * Polyphase plan of one axis of upfirdn (zero insertion by `up`, pads p0/p1, FIR `taps`, K divisible by up):
 * output sample up*q + r' is full[s + up*q + r'] of the full convolution (s = K - 1 - p0), i.e. phase
 * r = (s + r') mod up of the full result, shifted by a = floor((s + r') / up). Each output phase is a
 * correlation of x with K/up taps; Q samples per phase cover M outputs (up*Q - M extra at the end).
 */
function polyphaseAxis(L: number, taps: Float32Array, up: number, p0: number, p1: number) {
  const K = taps.length;
  const T = K / up;
  const M = L * up + p0 + p1 - (K - 1);
  const Q = Math.ceil(M / up);
  const s = K - 1 - p0;
  const phases = Array.from({ length: up }, (_, rOut) => {
    const r = (((s + rOut) % up) + up) % up;
    const a = Math.floor((s + rOut) / up);
    // full_r[q] = sum_t x[q - t] taps[up t + r]: correlation with the reversed phase taps, left padding T - 1.
    const k = Float32Array.from({ length: T }, (_, j) => taps[up * (T - 1 - j) + r]!);
    const padL = T - 1 - a;
    return { k, padL, padR: Q - L - padL + T - 1 };
  });
  return { phases, extra: up * Q - M };
}

/**
 * Upsampling half of filtered_lrelu for a separable filter: one small depthwise conv per phase (no inserted
 * zeros). Returns the up*up phase maps, phase (ry, rx) at index ry * up + rx, each [N, C, Qy, Qx], and the extra
 * trailing rows/columns of their interleaving.
 */
function upsamplePhases(x: E.Tensor, taps: Float32Array, up: number, padding: [number, number, number, number], scale: number): { parts: E.Tensor[]; extra: [number, number] } {
  const [, , H, W] = x.shape as number[];
  const px = polyphaseAxis(W!, taps, up, padding[0], padding[1]);
  const py = polyphaseAxis(H!, taps, up, padding[2], padding[3]);
  const byX = px.phases.map((p) => conv1d(x, 3, p.k, 1, p.padL, p.padR, up * scale)); // up x [N, C, H, Qx]
  const parts: E.Tensor[] = [];
  for (const p of py.phases) for (const xr of byX) parts.push(conv1d(xr, 2, p.k, 1, p.padL, p.padR, up)); // [N, C, Qy, Qx]
  return { parts, extra: [py.extra, px.extra] };
}

/**
 * The up-sampled map itself [N, C, up*Qy, up*Qx] (trailing extra rows/columns as in upsamplePhases): the x
 * phases are interleaved first (a small map), then the y phases run on it and interleave as whole rows, which
 * costs one pass less over the full map than DepthToSpace of the up*up phase maps.
 */
function upsampleInterleaved(x: E.Tensor, taps: Float32Array, up: number, padding: [number, number, number, number], scale: number): E.Tensor {
  const [N, C, H, W] = x.shape as number[];
  const px = polyphaseAxis(W!, taps, up, padding[0], padding[1]);
  const py = polyphaseAxis(H!, taps, up, padding[2], padding[3]);
  const byX = px.phases.map((p) => E.unsqueeze(conv1d(x, 3, p.k, 1, p.padL, p.padR, up * scale), 4)); // up x [N, C, H, Qx, 1]
  const Qx = byX[0]!.shape[3]!;
  const xi = E.reshape(E.concat(byX, 4), [N!, C!, H!, up * Qx]); // [N, C, H, up*Qx]
  const byY = py.phases.map((p) => E.unsqueeze(conv1d(xi, 2, p.k, 1, p.padL, p.padR, up), 3)); // up x [N, C, Qy, 1, up*Qx]
  const Qy = byY[0]!.shape[2]!;
  return E.reshape(E.concat(byY, 3), [N!, C!, up * Qy, up * Qx]); // [N, C, up*Qy, up*Qx]
}

/**
 * The down pass applied to phase maps when down = up: output y[m] = sum_k v[up m + k] h[k] splits into one
 * correlation per phase with every up-th tap (k = up j + r), so the phases are never interleaved.
 */
function downsamplePhases(parts: E.Tensor[], fd: Exclude<LowpassFilter, null>, up: number): E.Tensor {
  const C = parts[0]!.shape[1]!;
  let sum: E.Tensor | null = null;
  for (let ry = 0; ry < up; ry++) {
    for (let rx = 0; rx < up; rx++) {
      const v = parts[ry * up + rx]!;
      let y: E.Tensor;
      if (fd.kind === 'separable') {
        const k = Float32Array.from(fd.taps).reverse(); // correlation taps
        const sub = (r: number) => Float32Array.from({ length: k.length / up }, (_, j) => k[up * j + r]!);
        y = conv1d(conv1d(v, 3, sub(rx), 1, 0, 0, 1), 2, sub(ry), 1, 0, 0, 1);
      } else {
        const [kh, kw] = fd.kernel.shape;
        const k = Float32Array.from(fd.kernel.data).reverse();
        const [sh, sw] = [kh / up, kw / up];
        const sub = Float32Array.from({ length: sh * sw }, (_, i) => k[(up * Math.floor(i / sw) + ry) * kw + up * (i % sw) + rx]!);
        y = E.conv2d(v, depthwise(sub, sh, sw, C, 1), { groups: C });
      }
      sum = sum ? E.add(sum, y) : y;
    }
  }
  return sum!;
}

/**
 * Fast path with the same result (within float32 rounding).
 * @example filteredLrelu(x, { fu, fd, b, up: 2, down: 2, padding: [11, 10, 11, 10], clamp: 256 })
 */
export function filteredLrelu(x: E.Tensor, o: FilteredLreluOptions): E.Tensor {
  const { up, down, gain, slope, clamp, outH, outW } = parse(x, o);
  const [px0, px1, py0, py1] = o.padding;
  let y = addBias(x, o.b);
  const fd = o.fd;
  // Up pass, with the activation gain folded into the filter (lrelu(v) * g = lrelu(v * g), g > 0).
  if (o.fu?.kind === 'separable' && up > 1 && o.fu.taps.length % up === 0) {
    const phases = upsamplePhases(y, o.fu.taps, up, o.padding, gain);
    const kd = filterTaps(fd);
    if (fd && down === up && kd % up === 0) {
      // Down by the same factor: stay in the phase domain (no interleaving of the largest maps).
      y = downsamplePhases(phases.parts.map((v) => lreluClamp(v, slope, clamp)), fd, up);
      return crop(y, outH, outW);
    }
    // Otherwise interleave: columns on the 4x smaller x-up-sampled map, then whole rows (block copies).
    y = upsampleInterleaved(y, o.fu.taps, up, o.padding, gain);
  } else if (o.fu?.kind === 'separable' && up === 1) {
    y = conv1d(y, 3, Float32Array.from(o.fu.taps).reverse(), 1, px0, px1, gain);
    y = conv1d(y, 2, Float32Array.from(o.fu.taps).reverse(), 1, py0, py1, 1);
  } else if (o.fu === null && up === 1) {
    y = E.pad(y, [[0, 0], [0, 0], [py0, py1], [px0, px1]]);
    if (gain !== 1) y = E.mul(y, gain);
  } else {
    y = upfirdn2dRef(y, filter2d(o.fu), { up, padding: o.padding, gain: up * up * gain });
  }
  y = lreluClamp(y, slope, clamp);
  // Down pass: filter at stride `down` (trailing extra samples only add outputs at the end, cropped below).
  if (o.fd === null) {
    if (down !== 1) y = E.slice(y, [{ axis: 2, step: down }, { axis: 3, step: down }]);
  } else if (o.fd.kind === 'separable') {
    const k = Float32Array.from(o.fd.taps).reverse();
    y = conv1d(conv1d(y, 3, k, down, 0, 0, 1), 2, k, down, 0, 0, 1);
  } else {
    const [kh, kw] = o.fd.kernel.shape;
    y = E.conv2d(y, depthwise(Float32Array.from(o.fd.kernel.data).reverse(), kh, kw, y.shape[1]!, 1), { groups: y.shape[1]!, stride: down });
  }
  return crop(y, outH, outW);
}

/** Drops trailing rows/columns beyond the official output size (from phases' extra samples). */
function crop(y: E.Tensor, outH: number, outW: number): E.Tensor {
  if (y.shape[2]! < outH || y.shape[3]! < outW) throw new InputError(`filtered_lrelu: internal size mismatch [${y.shape}] vs ${outH}x${outW}`);
  return y.shape[2] === outH && y.shape[3] === outW ? y : E.slice(y, [{ axis: 2, start: 0, end: outH }, { axis: 3, start: 0, end: outW }]);
}

/**
 * The fast path computed in horizontal strips when its largest intermediate (the up-sampled map) would exceed
 * `maxElements` values: each strip of output rows reads only the input rows it needs (official padding
 * semantics shifted by the strip's start), so peak memory falls with the strip size; strips are concatenated.
 * @example filteredLreluInStrips(x, o, 1 << 24)
 */
export function filteredLreluInStrips(x: E.Tensor, o: FilteredLreluOptions, maxElements: number): E.Tensor {
  const { up, down, outH } = parse(x, o);
  const [N, C, H, W] = x.shape as number[];
  const [px0, px1, py0, py1] = o.padding;
  const ku = filterTaps(o.fu);
  const kd = filterTaps(o.fd);
  const tmpW = W! * up + px0 + px1 - (ku - 1);
  const tmpH = H! * up + py0 + py1 - (ku - 1);
  const strips = Math.min(outH, Math.ceil((N! * C! * tmpW * tmpH) / maxElements));
  if (strips <= 1) return filteredLrelu(x, o);
  const parts: E.Tensor[] = [];
  for (let k = 0; k < strips; k++) {
    const m0 = Math.floor((k * outH) / strips);
    const m1 = Math.floor(((k + 1) * outH) / strips);
    // Rows [m0 * down, m0 * down + Lp) of the padded up-sampled map make output rows [m0, m1).
    const start = m0 * down;
    const Lp = (m1 - m0 - 1) * down + ku + kd - 1;
    // Input rows whose up-sampled position py0 + up * i falls inside that window.
    const i0 = Math.min(Math.max(Math.ceil((start - py0) / up), 0), H!);
    const i1 = Math.max(Math.min(Math.floor((start + Lp - 1 - py0) / up) + 1, H!), i0);
    if (i1 === i0) throw new InputError('filtered_lrelu: a strip without input rows (padding larger than the filters)');
    const top = py0 + up * i0 - start;
    const bottom = Lp - (i1 - i0) * up - top;
    const xs = E.slice(x, [{ axis: 2, start: i0, end: i1 }]); // [N, C, i1 - i0, W]
    parts.push(filteredLrelu(xs, { ...o, padding: [px0, px1, top, bottom] }));
  }
  return E.concat(parts, 2);
}

