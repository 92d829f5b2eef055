// conv2d_resample: 2-D convolution with optional FIR up/downsampling (torch_utils/ops/conv2d_resample.py).
// `conv2dResampleRef` is the official generic fallback (upfirdn2d, conv, downsample); `conv2dResample`
// takes the official fast paths (transposed conv for up, strided conv for down).
import * as E from '../../engine/index.js';
import { type Filter, type Pad4, upfirdn2d, upfirdn2dRef } from './upfirdn2d.js';

export interface Conv2dResampleOptions {
  f?: Filter | null;
  up?: number;
  down?: number;
  padding?: number | Pad4;
  groups?: number;
  /** false = true convolution (weight flipped), true = correlation (torch's conv2d). */
  flipWeight?: boolean;
  flipFilter?: boolean;
  /**
   * Upsampling convs as polyphase convs (true) instead of ConvTranspose (default: fastest end to end on
   * onnxruntime's CPU provider, measured on the StyleGAN2 generators).
   */
  polyphase?: boolean;
}

/** The official padding adjustment for up/downsampling; returns [x0, x1, y0, y1] and the filter size. */
function adjustPadding(w: E.Tensor, o: Conv2dResampleOptions) {
  const up = o.up ?? 1;
  const down = o.down ?? 1;
  const [fh, fw] = o.f ? o.f.shape : [1, 1];
  const p = o.padding ?? 0;
  let [px0, px1, py0, py1] = typeof p === 'number' ? [p, p, p, p] : p;
  if (up > 1) {
    px0 += Math.floor((fw + up - 1) / 2);
    px1 += Math.floor((fw - up) / 2);
    py0 += Math.floor((fh + up - 1) / 2);
    py1 += Math.floor((fh - up) / 2);
  }
  if (down > 1) {
    px0 += Math.floor((fw - down + 1) / 2);
    px1 += Math.floor((fw - down) / 2);
    py0 += Math.floor((fh - down + 1) / 2);
    py1 += Math.floor((fh - down) / 2);
  }
  return { up, down, px0, px1, py0, py1, kh: w.shape[2]!, kw: w.shape[3]! };
}

/** conv2d or conv_transpose2d on a weight flipped when flipWeight is false (official _conv2d_wrapper). */
function convWrapper(x: E.Tensor, w: E.Tensor, o: { stride?: number; padding?: [number, number]; groups: number; transpose?: boolean; flipWeight: boolean }): E.Tensor {
  const [, , kh, kw] = w.shape as number[];
  const wf = !o.flipWeight && (kh! > 1 || kw! > 1) ? E.flip(w, [2, 3]) : w;
  const opts = { stride: o.stride ?? 1, padding: o.padding ?? [0, 0], groups: o.groups } as const;
  return o.transpose ? E.convTranspose2d(x, wf, opts) : E.conv2d(x, wf, opts);
}

/**
 * conv_transpose2d(x, w, stride) with pad 0, as one small convolution per output phase (the same multiply-adds),
 * interleaved by depth-to-space: an alternative for providers with a slow ConvTranspose (on onnxruntime's CPU
 * provider ConvTranspose measured faster). w is [I, O, k, k] (conv_transpose layout, applied unflipped). Returns
 * the map and how many trailing rows/columns it has beyond the transposed conv's (k - 1 + s(H - 1) + 1) (zeros).
 */
export function convTransposePolyphase(x: E.Tensor, w: E.Tensor, s: number): { y: E.Tensor; extra: [number, number] } {
  const [, , H, W] = x.shape as number[];
  const [, , kh, kw] = w.shape as number[];
  const wc = E.transpose(w, [1, 0, 2, 3]); // [O, I, kh, kw]
  const J = [Math.ceil(((H! - 1) * s + kh!) / s), Math.ceil(((W! - 1) * s + kw!) / s)];
  const taps = (k: number, r: number) => Math.ceil((k - r) / s); // taps of phase r
  // Phase r of an axis uses kernel taps r + s*t (t = 0..taps-1), reversed for correlation.
  const phaseKernel = (ry: number, rx: number, size: [number, number]) => {
    const rows = Array.from({ length: size[0] }, (_, u) => ry + s * (size[0] - 1 - u));
    const cols = Array.from({ length: size[1] }, (_, u) => rx + s * (size[1] - 1 - u));
    return E.gather(E.gather(wc, rows, 2), cols, 3);
  };
  const phases: E.Tensor[] = [];
  for (let ry = 0; ry < s; ry++) {
    for (let rx = 0; rx < s; rx++) {
      const size: [number, number] = [taps(kh!, ry), taps(kw!, rx)];
      const kern = phaseKernel(ry, rx, size);
      phases.push(E.conv2d(x, kern, { padding: [size[0] - 1, size[1] - 1, J[0]! - H!, J[1]! - W!] }));
    }
  }
  const y = E.depthToSpace(E.concat(phases, 1), s);
  return { y, extra: [J[0]! * s - ((H! - 1) * s + kh!), J[1]! * s - ((W! - 1) * s + kw!)] };
}

/**
 * Reference path: the official generic fallback.
 * @example conv2dResampleRef(x, w, { f, up: 2, padding: 1, flipWeight: false })
 */
export function conv2dResampleRef(x: E.Tensor, w: E.Tensor, o: Conv2dResampleOptions = {}): E.Tensor {
  const { up, down, px0, px1, py0, py1 } = adjustPadding(w, o);
  const groups = o.groups ?? 1;
  const flipWeight = o.flipWeight ?? true;
  const f = o.f ?? null;
  let y = f || px0 || px1 || py0 || py1 ? upfirdn2dRef(x, up > 1 ? f! : identityFilter(), { up, padding: [px0, px1, py0, py1], gain: up * up, flipFilter: o.flipFilter }) : x;
  y = convWrapper(y, w, { groups, flipWeight });
  return down > 1 ? upfirdn2dRef(y, f!, { down, flipFilter: o.flipFilter }) : y;
}

function identityFilter(): Filter {
  return { data: Float32Array.of(1), shape: [1, 1] };
}

/**
 * Fast path: the official fast paths with the fast upfirdn2d.
 * @example conv2dResample(x, w, { f, down: 2, padding: 1 })
 */
export function conv2dResample(x: E.Tensor, w: E.Tensor, o: Conv2dResampleOptions = {}): E.Tensor {
  let { up, down, px0, px1, py0, py1, kh, kw } = adjustPadding(w, o);
  const groups = o.groups ?? 1;
  const flipWeight = o.flipWeight ?? true;
  const f = o.f ?? identityFilter();
  const ff = { flipFilter: o.flipFilter };
  // 1x1 with downsampling only: downsample first, then convolve.
  if (kw === 1 && kh === 1 && down > 1 && up === 1) {
    const y = upfirdn2d(x, f, { down, padding: [px0, px1, py0, py1], ...ff });
    return convWrapper(y, w, { groups, flipWeight });
  }
  // 1x1 with upsampling only: convolve first, then upsample.
  if (kw === 1 && kh === 1 && up > 1 && down === 1) {
    const y = convWrapper(x, w, { groups, flipWeight });
    return upfirdn2d(y, f, { up, padding: [px0, px1, py0, py1], gain: up * up, ...ff });
  }
  // Downsampling only: strided convolution.
  if (down > 1 && up === 1) {
    const y = upfirdn2d(x, f, { padding: [px0, px1, py0, py1], ...ff });
    return convWrapper(y, w, { stride: down, groups, flipWeight });
  }
  // Upsampling: transposed strided convolution, then the filter.
  if (up > 1) {
    const [o0, i0] = w.shape as number[];
    let wt: E.Tensor;
    if (groups === 1) wt = E.transpose(w, [1, 0, 2, 3]);
    else wt = E.reshape(E.transpose(E.reshape(w, [groups, o0! / groups, i0!, kh, kw]), [0, 2, 1, 3, 4]), [groups * i0!, o0! / groups, kh, kw]);
    px0 -= kw - 1;
    px1 -= kw - up;
    py0 -= kh - 1;
    py1 -= kh - up;
    const pxt = Math.max(Math.min(-px0, -px1), 0);
    const pyt = Math.max(Math.min(-py0, -py1), 0);
    let y: E.Tensor;
    if (groups === 1 && pxt === 0 && pyt === 0 && o.polyphase) {
      // Same transposed conv as polyphase convolutions; its trailing zero rows/columns become negative padding.
      const p = convTransposePolyphase(x, flipWeight ? E.flip(wt, [2, 3]) : wt, up);
      y = upfirdn2d(p.y, f, { padding: [px0, px1 - p.extra[1], py0, py1 - p.extra[0]], gain: up * up, ...ff });
    } else {
      y = convWrapper(x, wt, { stride: up, padding: [pyt, pxt], groups, transpose: true, flipWeight: !flipWeight });
      y = upfirdn2d(y, f, { padding: [px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt], gain: up * up, ...ff });
    }
    return down > 1 ? upfirdn2d(y, f, { down, ...ff }) : y;
  }
  // No resampling and symmetric padding: plain conv2d.
  if (px0 === px1 && py0 === py1 && px0 >= 0 && py0 >= 0) return convWrapper(x, w, { padding: [py0, px0], groups, flipWeight });
  return conv2dResampleRef(x, w, o);
}
