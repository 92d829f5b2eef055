// Small generated training sets (coloured shapes on plain backgrounds) and tiny training options for tests.
import type { TrainingData } from '../../src/train/loop.js';
import { defaultTrainingOptions, type TrainingOptions } from '../../src/train/options.js';
import { RandomState } from '../../src/random/numpy-random.js';

/**
 * n RGB images [3, R, R]: a filled disc or square of a random colour, position and size on a random plain background.
 * @example const data = shapesDataset(64, 16, 0);
 */
export function shapesDataset(n: number, res: number, seed: number): TrainingData & { images: Uint8Array[] } {
  const rs = new RandomState(seed);
  const images: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const u = rs.randomSamples(10);
    const bg = [u[0]!, u[1]!, u[2]!].map((v) => Math.floor(v * 80)); // dark background
    const fg = [u[3]!, u[4]!, u[5]!].map((v) => 128 + Math.floor(v * 127)); // bright shape
    const r = res * (0.2 + 0.15 * u[6]!);
    const cx = r + u[7]! * (res - 2 * r);
    const cy = r + u[8]! * (res - 2 * r);
    const disc = u[9]! < 0.5;
    const img = new Uint8Array(3 * res * res);
    for (let y = 0; y < res; y++) {
      for (let x = 0; x < res; x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        const inside = disc ? dx * dx + dy * dy <= r * r : Math.abs(dx) <= r && Math.abs(dy) <= r;
        for (let c = 0; c < 3; c++) img[c * res * res + y * res + x] = inside ? fg[c]! : bg[c]!;
      }
    }
    images.push(img);
  }
  return {
    images,
    size: n,
    resolution: res,
    channels: 3,
    labelDim: 0,
    image: async (i) => images[i]!.slice(),
    label: () => new Float32Array(0),
  };
}

/** StyleGAN2 options scaled down for tests: small networks, short runs, no augmentation unless asked. */
export function tinyOptions(over: Partial<TrainingOptions> = {}): TrainingOptions {
  return {
    ...defaultTrainingOptions('stylegan2', 8, 0.05),
    cbase: 512,
    cmax: 64,
    mapDepth: 2,
    zDim: 32,
    wDim: 32,
    aug: 'noaug',
    kimg: 0.032,
    kimgPerTick: 0.016,
    snap: 1,
    ...over,
  };
}
