// The image side of UGATIT.py's test(): PIL's bilinear resize (with antialiasing) to the model size,
// ToTensor + Normalize(0.5, 0.5), and back: denorm, x255, rounded as cv2.imwrite does; plus utils.cam's heatmap.
// Pure TypeScript on uint8 HWC pixels, so browsers can use it too.
import { InputError } from '../errors.js';

/** An 8-bit image, pixels row-major with interleaved channels (HWC). */
export interface ImageU8 {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** Fixed-point precision of PIL's 8-bit resampling (Resample.c: PRECISION_BITS = 32 - 8 - 2). */
const PRECISION_BITS = 22;

/** One output pixel's taps: first input index and normalised weights (PIL precompute_coeffs, bilinear filter). */
interface Taps {
  start: number;
  weights: Float64Array;
}

/** PIL's precompute_coeffs for the bilinear (triangle, support 1) filter, scaled by the downscaling factor. */
function bilinearTaps(inSize: number, outSize: number): Taps[] {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // bilinear support 1.0 times the filter scale
  const taps: Taps[] = [];
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const weights = new Float64Array(hi - lo);
    let total = 0;
    for (let i = lo; i < hi; i++) {
      const w = Math.max(1 - Math.abs((i - center + 0.5) / filterScale), 0);
      weights[i - lo] = w;
      total += w;
    }
    if (total !== 0) for (let k = 0; k < weights.length; k++) weights[k]! /= total;
    taps.push({ start: lo, weights });
  }
  return taps;
}

/** One separable pass along an axis; `fixed` rounds weights and sums as PIL's 8-bit path does, else float64. */
function resamplePass(src: Float64Array, w: number, h: number, c: number, outSize: number, horizontal: boolean, fixed: boolean): Float64Array {
  const taps = bilinearTaps(horizontal ? w : h, outSize);
  const [ow, oh] = horizontal ? [outSize, h] : [w, outSize];
  const out = new Float64Array(ow * oh * c);
  const one = 2 ** PRECISION_BITS;
  for (const t of taps) {
    if (fixed) for (let k = 0; k < t.weights.length; k++) t.weights[k] = t.weights[k]! < 0 ? Math.trunc(-0.5 + t.weights[k]! * one) : Math.trunc(0.5 + t.weights[k]! * one);
  }
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const t = taps[horizontal ? x : y]!;
      for (let ch = 0; ch < c; ch++) {
        let s = fixed ? one / 2 : 0;
        for (let k = 0; k < t.weights.length; k++) {
          const idx = horizontal ? (y * w + t.start + k) * c + ch : ((t.start + k) * w + x) * c + ch;
          s += src[idx]! * t.weights[k]!;
        }
        out[(y * ow + x) * c + ch] = fixed ? Math.min(Math.max(Math.floor(s / one), 0), 255) : s;
      }
    }
  }
  return out;
}

/**
 * PIL's Image.resize((width, height), BILINEAR) on 8-bit pixels, bit-exact: antialiased when shrinking,
 * horizontal pass first, fixed-point weights, uint8 between the passes. Same size returns a copy (as PIL).
 * @example const small = resizeBilinearPil(img, 256, 256);
 */
export function resizeBilinearPil(img: ImageU8, width: number, height: number): ImageU8 {
  return resize(img, width, height, true);
}

/** Reference of resizeBilinearPil: the same filter in float64 with no intermediate rounding (tests compare them). */
export function resizeBilinearPilRef(img: ImageU8, width: number, height: number): { data: Float64Array; width: number; height: number; channels: number } {
  const r = resize(img, width, height, false);
  return { ...r, data: Float64Array.from(r.data) };
}

function resize(img: ImageU8, width: number, height: number, fixed: boolean): ImageU8 & { data: Uint8Array | Float64Array } {
  const { width: w, height: h, channels: c } = img;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) throw new InputError(`resize: expected a positive size, got ${width}x${height}`);
  let data: Float64Array = Float64Array.from(img.data);
  let cw = w;
  if (width !== w) [data, cw] = [resamplePass(data, w, h, c, width, true, fixed), width];
  if (height !== h) data = resamplePass(data, cw, h, c, height, false, fixed);
  return { data: fixed ? Uint8Array.from(data) : (data as unknown as Uint8Array), width, height, channels: c };
}

/**
 * ToTensor + Normalize((0.5,)*3, (0.5,)*3) of an RGB image: [1, 3, H, W] in [-1, 1].
 * @example const x = toModelInput(resizeBilinearPil(img, 256, 256));
 */
export function toModelInput(img: ImageU8): Float32Array {
  if (img.channels !== 3) throw new InputError(`expected an RGB image, got ${img.channels} channels`);
  const n = img.width * img.height;
  const x = new Float32Array(3 * n); // [1, 3, H, W]
  for (let i = 0; i < n; i++) for (let ch = 0; ch < 3; ch++) x[ch * n + i] = (img.data[i * 3 + ch]! / 255 - 0.5) / 0.5;
  return x;
}

/**
 * Image 0 of a [N, 3, H, W] batch in [-1, 1] as UGATIT.py writes it: denorm (x * 0.5 + 0.5), times 255,
 * saturated and rounded to uint8 (cv2.imwrite of a float image).
 * @example const png = toOutputImage(out.data, 256, 256);
 */
export function toOutputImage(x: Float32Array, width: number, height: number): ImageU8 {
  const n = width * height;
  const data = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) for (let ch = 0; ch < 3; ch++) data[i * 3 + ch] = Math.min(Math.max(Math.round((x[ch * n + i]! * 0.5 + 0.5) * 255), 0), 255);
  return { data, width, height, channels: 3 };
}

/** The jet colour map (r, g, b in [0, 1] of v in [0, 1]), as OpenCV's COLORMAP_JET interpolates it. */
function jet(v: number): [number, number, number] {
  const ramp = (d: number) => Math.min(Math.max(1.5 - Math.abs(4 * v - d), 0), 1);
  return [ramp(3), ramp(2), ramp(1)];
}

/**
 * utils.cam: the heatmap [1, 1, h, w] scaled to [0, 255] (min to 0, max to 255, truncated), resized bilinearly to
 * size x size and coloured with the jet map. (The map is the analytic jet; OpenCV's table differs by a level or two.)
 * @example const rgb = camImage(heatmap.data, 64, 64, 256);
 */
export function camImage(heatmap: Float32Array, w: number, h: number, size: number): ImageU8 {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < w * h; i++) [lo, hi] = [Math.min(lo, heatmap[i]!), Math.max(hi, heatmap[i]!)];
  const u8 = new Float64Array(w * h);
  for (let i = 0; i < w * h; i++) u8[i] = Math.trunc((255 * (heatmap[i]! - lo)) / (hi - lo || 1));
  const data = new Uint8Array(size * size * 3);
  // cv2.resize INTER_LINEAR: half-pixel centres, edge pixels clamped.
  const coord = (o: number, n: number): [number, number, number] => {
    const s = Math.min(Math.max((o + 0.5) * (n / size) - 0.5, 0), n - 1);
    const i0 = Math.floor(s);
    return [i0, Math.min(i0 + 1, n - 1), s - i0];
  };
  for (let y = 0; y < size; y++) {
    const [y0, y1, fy] = coord(y, h);
    for (let x = 0; x < size; x++) {
      const [x0, x1, fx] = coord(x, w);
      const top = u8[y0 * w + x0]! * (1 - fx) + u8[y0 * w + x1]! * fx;
      const bottom = u8[y1 * w + x0]! * (1 - fx) + u8[y1 * w + x1]! * fx;
      const v = Math.round(top * (1 - fy) + bottom * fy);
      jet(v / 255).forEach((c, ch) => (data[(y * size + x) * 3 + ch] = Math.round(c * 255)));
    }
  }
  return { data, width: size, height: size, channels: 3 };
}
