// What the training benchmarks share: `--name value` arguments and a synthetic data set.
import type { TrainingData } from '../src/train/loop.js';

/** The number after `--name` on the command line, or `fallback`. */
export const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

/** n random-looking RGB images of R x R (the rate does not depend on content). */
export function noiseData(n: number, R: number): TrainingData {
  return {
    size: n,
    resolution: R,
    channels: 3,
    labelDim: 0,
    image: async (i) => Uint8Array.from({ length: 3 * R * R }, (_, k) => (i * 7919 + k * 104729) % 251),
    label: () => new Float32Array(0),
  };
}
