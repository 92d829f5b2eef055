// Helpers of the official scripts gen_images.py and style_mixing.py: seed lists, uint8 conversion, style mixing.
import { InputError } from '../errors.js';

/**
 * Parses a seed list like gen_images.py: '0-3,7' -> [0, 1, 2, 3, 7].
 * @example parseSeeds('0-3,7')
 */
export function parseSeeds(text: string, what = 'seed list'): number[] {
  const out: number[] = [];
  const bad = () => new InputError(`cannot parse ${what} '${text}': expected numbers and ranges such as 0-3,7`);
  if (!text.trim()) throw bad();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw bad();
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new InputError(`cannot parse ${what} '${text}': range ${a}-${b} runs backwards`);
    if (b > 0xffffffff) throw new InputError(`${what} '${text}': seeds must be at most 2**32 - 1`);
    if (b - a > 1_000_000) throw new InputError(`${what} '${text}': range ${a}-${b} is too long`);
    for (let s = a; s <= b; s++) out.push(s);
  }
  return out;
}

/**
 * Image n of a batch [N, C, H, W] in [-1, 1] to uint8 HWC, exactly as gen_images.py:
 * (img * 127.5 + 128).clamp(0, 255).to(uint8), each step rounded to float32.
 * @example const rgb = toUint8Image(img, 3, 256, 256);
 */
export function toUint8Image(img: Float32Array, channels: number, height: number, width: number, n = 0): Uint8Array {
  const out = new Uint8Array(height * width * channels);
  const plane = height * width;
  const base = n * channels * plane;
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < plane; p++) {
      const v = Math.fround(Math.fround(img[base + c * plane + p]! * 127.5) + 128);
      out[p * channels + c] = v >= 255 ? 255 : v <= 0 ? 0 : Math.trunc(v);
    }
  }
  return out;
}

/**
 * style_mixing.py's mix: a copy of `rowWs` [numWs, wDim] whose layers in `styles` come from `colWs`.
 * @example const ws = styleMixWs(wRow, wCol, [0, 1, 2, 3], numWs, wDim);
 */
export function styleMixWs(rowWs: Float32Array, colWs: Float32Array, styles: readonly number[], numWs: number, wDim: number): Float32Array {
  const out = rowWs.slice();
  for (const s of styles) {
    if (!Number.isInteger(s) || s < 0 || s >= numWs) throw new InputError(`style layer ${s} is out of range: this network has ${numWs} ws (0-${numWs - 1})`);
    out.set(colWs.subarray(s * wDim, (s + 1) * wDim), s * wDim);
  }
  return out;
}
