// Helpers of the official scripts gen_images.py and style_mixing.py: seed lists, uint8 conversion, style mixing.
import { InputError } from '../errors.js';
import { DEFAULT_PSI, truncateWs } from '../nets/truncation.js';

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

/** What styleMix needs of a generator (every Generator fits: StyleGAN2 and StyleGAN3). */
export interface MixableGenerator {
  readonly wDim: number;
  readonly numWs: number;
  mapping(z: ArrayLike<number>, c: ArrayLike<number> | null): Promise<Float32Array>;
  synthesis(ws: Float32Array, o: { noiseMode?: 'const' | 'random' | 'none'; noiseSeed?: number }): Promise<Float32Array>;
  wAvg(): Float32Array;
}

export interface StyleMixOptions {
  /** Layers taken from the column seed (default 0-6, as style_mixing.py). */
  styles?: readonly number[];
  psi?: number;
  noiseMode?: 'const' | 'random' | 'none';
  /** Labels for a conditional network (one-hot of length cDim). */
  c?: Float32Array | null;
  /** Latent for a seed (e.g. zFromSeed). */
  zOf: (seed: number) => ArrayLike<number>;
  /** Called with each image as soon as it exists (keyed `${row}-${col}`). */
  onImage?: (key: string, img: Float32Array) => Promise<void> | void;
  /** Keep the images in the returned map (default true; false saves memory when onImage consumes them). */
  keep?: boolean;
}

/**
 * style_mixing.py: images (float [C, R, R]) keyed `${row}-${col}` for every row x col pair and for each seed alone
 * (`${s}-${s}`). Random noise (noiseMode 'random') is seeded with the row seed.
 * @example const images = await styleMix(G, [85, 100], [55, 821], { styles: [0, 1, 2, 3], zOf: (s) => zFromSeed(s, 512) });
 */
export async function styleMix(G: MixableGenerator, rows: readonly number[], cols: readonly number[], o: StyleMixOptions): Promise<Map<string, Float32Array>> {
  const { wDim } = G;
  const numWs = G.numWs;
  const styles = o.styles ?? [0, 1, 2, 3, 4, 5, 6].filter((s) => s < numWs);
  const wAvg = G.wAvg();
  const wOf = new Map<number, Float32Array>();
  const images = new Map<string, Float32Array>();
  const render = async (key: string, ws: Float32Array, noiseSeed: number) => {
    const img = await G.synthesis(ws, { noiseMode: o.noiseMode ?? 'const', noiseSeed });
    if (o.keep !== false) images.set(key, img);
    await o.onImage?.(key, img);
  };
  // Generate W vectors (truncated after the mapping), then each seed's own image.
  for (const seed of new Set([...rows, ...cols])) {
    wOf.set(seed, truncateWs(await G.mapping(o.zOf(seed), o.c ?? null), wAvg, o.psi ?? DEFAULT_PSI));
    await render(`${seed}-${seed}`, wOf.get(seed)!, seed);
  }
  // Mixed images: the row seed's ws with the listed layers from the column seed.
  for (const row of rows) {
    for (const col of cols) await render(`${row}-${col}`, styleMixWs(wOf.get(row)!, wOf.get(col)!, styles, numWs, wDim), row);
  }
  return images;
}
