// The image side of UGATIT.py's test(): PIL's bilinear resize (with antialiasing) to the model size,
// ToTensor + Normalize(0.5, 0.5), and back: denorm, x255, rounded as cv2.imwrite does; plus utils.cam's heatmap.
// Pure TypeScript on uint8 HWC pixels, so browsers can use it too.
import { type ImageU8, resizePil, resizePilRef } from '../data/pil-resize.js';
import { InputError } from '../errors.js';

export type { ImageU8 } from '../data/pil-resize.js';

/**
 * PIL's Image.resize((width, height), BILINEAR) on 8-bit pixels, bit-exact: antialiased when shrinking,
 * horizontal pass first, fixed-point weights, uint8 between the passes. Same size returns a copy (as PIL).
 * @example const small = resizeBilinearPil(img, 256, 256);
 */
export function resizeBilinearPil(img: ImageU8, width: number, height: number): ImageU8 {
  return resizePil(img, width, height, 'bilinear');
}

/** Reference of resizeBilinearPil: the same filter in float64 with no intermediate rounding (tests compare them). */
export function resizeBilinearPilRef(img: ImageU8, width: number, height: number): { data: Float64Array; width: number; height: number; channels: number } {
  return resizePilRef(img, width, height, 'bilinear');
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
