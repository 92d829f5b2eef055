// Training batches in the official order: NVlabs stylegan3 torch_utils/misc.py InfiniteSampler (one NumPy
// RandomState(seed) shuffle, then a random swap within a sliding window after every index), over a data set
// doubled by x-flips when mirrored (training/dataset.py --mirror: index i >= size is image i - size flipped).
import { InputError } from '../errors.js';
import { RandomState } from '../random/numpy-random.js';
import { randint } from '../random/randint.js';
import type { ImageDataset } from './image-dataset.js';

/**
 * An endless stream of data set indices, as InfiniteSampler(dataset, rank=0, num_replicas=1, shuffle=True,
 * seed, window_size=0.5) yields them. With `mirror`, indices run over [0, 2 * size).
 * @example const s = new InfiniteSampler(ds.size, { seed: 0, mirror: true }); const i = s.next();
 */
export class InfiniteSampler {
  private readonly order: Int32Array;
  private readonly rnd: RandomState;
  private readonly window: number;
  private idx = 0;

  constructor(size: number, o: { seed?: number; mirror?: boolean; windowSize?: number } = {}) {
    const n = size * (o.mirror ? 2 : 1);
    if (!Number.isInteger(size) || size < 1) throw new InputError(`the data set must hold at least one image, got ${size}`);
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    this.rnd = new RandomState(o.seed ?? 0);
    // np.random.RandomState.shuffle: Fisher-Yates from the end, j = random_interval(i).
    for (let i = n - 1; i > 0; i--) {
      const j = randint(this.rnd, 0, i + 1);
      [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
    }
    this.window = roundHalfEven(n * (o.windowSize ?? 0.5));
  }

  /** The next index. */
  next(): number {
    const n = this.order.length;
    const i = this.idx % n;
    const out = this.order[i]!;
    if (this.window >= 2) {
      const j = (((i - randint(this.rnd, 0, this.window)) % n) + n) % n;
      [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
    }
    this.idx++;
    return out;
  }

  /** The next `count` indices. */
  take(count: number): number[] {
    return Array.from({ length: count }, () => this.next());
  }
}

/** np.rint: halves to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A batch of real images for the discriminator. */
export interface RealBatch {
  images: Float32Array; // [N, C, R, R], uint8 / 127.5 - 1 in float32 steps, as the official training loop
  labels: Float32Array; // [N, labelDim]
}

/**
 * Images (and labels) of `indices`; an index i >= ds.size is image i - ds.size flipped left-right (--mirror).
 * @example const { images, labels } = await realBatch(ds, sampler.take(8)); // images [8, C, R, R] in [-1, 1]
 */
export async function realBatch(ds: ImageDataset, indices: readonly number[]): Promise<RealBatch> {
  const { channels: C, resolution: R, labelDim, size } = ds;
  const images = new Float32Array(indices.length * C * R * R);
  const labels = new Float32Array(indices.length * labelDim);
  for (const [n, index] of indices.entries()) {
    if (!Number.isInteger(index) || index < 0 || index >= 2 * size) throw new InputError(`image index ${index} out of range [0, ${2 * size})`);
    const flip = index >= size;
    const raw = flip ? index - size : index;
    const x = await ds.image(raw); // [C, R, R] uint8
    const base = n * C * R * R;
    for (let row = 0; row < C * R; row++) {
      for (let col = 0; col < R; col++) images[base + row * R + col] = Math.fround(Math.fround(x[row * R + (flip ? R - 1 - col : col)]! / 127.5) - 1);
    }
    labels.set(ds.label(raw), n * labelDim);
  }
  return { images, labels };
}
