// PIL's Image.resize on 8-bit images (Pillow libImaging/Resample.c), bit-exact: separable passes, horizontal
// first, antialiased when shrinking (the filter widened by the scale), fixed-point weights (PRECISION_BITS) and
// uint8 between the passes. Bilinear serves UGATIT.py's test phase; Lanczos the official projector's target.
// Pure TypeScript on uint8 HWC pixels (browsers too).
import { InputError } from '../errors.js';

/** An 8-bit image, pixels row-major with interleaved channels (HWC). */
export interface ImageU8 {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** A resampling filter of PIL: its kernel and support (half-width) at scale 1. */
export interface PilFilter {
  kernel: (x: number) => number;
  support: number;
}

/** sinc(x) = sin(pi x) / (pi x), as Resample.c's sinc_filter. */
function sincFilter(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

/** PIL's filters by name (Resample.c: BILINEAR is the triangle of support 1, LANCZOS the 3-lobe windowed sinc). */
export const PIL_FILTERS = {
  bilinear: { kernel: (x: number) => Math.max(1 - Math.abs(x), 0), support: 1 },
  lanczos: { kernel: (x: number) => (x >= -3 && x < 3 ? sincFilter(x) * sincFilter(x / 3) : 0), support: 3 },
} as const satisfies Record<string, PilFilter>;

export type PilFilterName = keyof typeof PIL_FILTERS;

/** Fixed-point precision of PIL's 8-bit resampling (Resample.c: PRECISION_BITS = 32 - 8 - 2). */
const PRECISION_BITS = 22;

/** One output pixel's taps: first input index and normalised weights. */
interface Taps {
  start: number;
  weights: Float64Array;
}

/** Resample.c precompute_coeffs: the filter scaled by the downscaling factor, taps normalised to sum 1. */
function precomputeTaps(inSize: number, outSize: number, filter: PilFilter): Taps[] {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ss = 1 / filterScale;
  const taps: Taps[] = [];
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const weights = new Float64Array(hi - lo);
    let total = 0;
    for (let i = lo; i < hi; i++) {
      const w = filter.kernel((i - center + 0.5) * ss);
      weights[i - lo] = w;
      total += w;
    }
    if (total !== 0) for (let k = 0; k < weights.length; k++) weights[k]! /= total;
    taps.push({ start: lo, weights });
  }
  return taps;
}

/** One separable pass along an axis; `fixed` rounds weights and sums as PIL's 8-bit path does, else float64. */
function resamplePass(src: Float64Array, w: number, h: number, c: number, outSize: number, horizontal: boolean, filter: PilFilter, fixed: boolean): Float64Array {
  const taps = precomputeTaps(horizontal ? w : h, outSize, filter);
  const [ow, oh] = horizontal ? [outSize, h] : [w, outSize];
  const out = new Float64Array(ow * oh * c);
  const one = 2 ** PRECISION_BITS;
  // normalize_coeffs_8bpc: weights to integers, rounded half away from zero.
  if (fixed) for (const t of taps) for (let k = 0; k < t.weights.length; k++) t.weights[k] = t.weights[k]! < 0 ? Math.trunc(-0.5 + t.weights[k]! * one) : Math.trunc(0.5 + t.weights[k]! * one);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const t = taps[horizontal ? x : y]!;
      for (let ch = 0; ch < c; ch++) {
        let s = fixed ? one / 2 : 0;
        for (let k = 0; k < t.weights.length; k++) {
          const idx = horizontal ? (y * w + t.start + k) * c + ch : ((t.start + k) * w + x) * c + ch;
          s += src[idx]! * t.weights[k]!;
        }
        // clip8: the sum shifted down (a floor), saturated to [0, 255]; the reference saturates without rounding.
        out[(y * ow + x) * c + ch] = Math.min(Math.max(fixed ? Math.floor(s / one) : s, 0), 255);
      }
    }
  }
  return out;
}

function resize(img: ImageU8, width: number, height: number, filter: PilFilter, fixed: boolean): { data: Float64Array; width: number; height: number; channels: number } {
  const { width: w, height: h, channels: c } = img;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) throw new InputError(`resize: expected a positive size, got ${width}x${height}`);
  let data: Float64Array = Float64Array.from(img.data);
  let cw = w;
  if (width !== w) [data, cw] = [resamplePass(data, w, h, c, width, true, filter, fixed), width];
  if (height !== h) data = resamplePass(data, cw, h, c, height, false, filter, fixed);
  return { data, width, height, channels: c };
}

/**
 * PIL's Image.resize((width, height), filter) on 8-bit pixels, bit-exact. Same size returns a copy (as PIL).
 * @example const small = resizePil(img, 256, 256, 'lanczos');
 */
export function resizePil(img: ImageU8, width: number, height: number, filter: PilFilterName): ImageU8 {
  const r = resize(img, width, height, PIL_FILTERS[filter], true);
  return { ...r, data: Uint8Array.from(r.data) };
}

/** Reference of resizePil: the same filter in float64, saturated but not rounded after each pass (tests compare them). */
export function resizePilRef(img: ImageU8, width: number, height: number, filter: PilFilterName): { data: Float64Array; width: number; height: number; channels: number } {
  return resize(img, width, height, PIL_FILTERS[filter], false);
}

/**
 * PIL's crop to the centred square of side min(w, h), box ((w - s) // 2, (h - s) // 2, (w + s) // 2, (h + s) // 2),
 * as the official projector crops its target.
 * @example centerCropSquare({ data, width: 640, height: 480, channels: 3 }).width // 480
 */
export function centerCropSquare(img: ImageU8): ImageU8 {
  const s = Math.min(img.width, img.height);
  return cropImage(img, Math.floor((img.width - s) / 2), Math.floor((img.height - s) / 2), s, s);
}

/**
 * The `width` x `height` region of an image whose top-left pixel is (left, top), as PIL's crop inside the image.
 * @example cropImage(img, 0, 10, img.width, 100).height // 100
 */
export function cropImage(img: ImageU8, left: number, top: number, width: number, height: number): ImageU8 {
  const c = img.channels;
  const data = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) data.set(img.data.subarray(((top + y) * img.width + left) * c, ((top + y) * img.width + left + width) * c), y * width * c);
  return { data, width, height, channels: c };
}
