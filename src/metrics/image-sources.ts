// The image sets metrics read: a network's images (seeds, as gen_images.py draws z; random noise as the official
// metrics' G(z, c) default; a conditional network's labels drawn from the data set) and a data set's images in
// file order (the first N, as the official item subset without shuffling).
import type { ImageDataset } from '../data/image-dataset.js';
import { toUint8Image } from '../models/generate.js';
import type { Generator } from '../models/generator.js';
import { RandomState, zFromSeed } from '../random/numpy-random.js';
import { randint } from '../random/randint.js';
import type { ImageSource } from './metric.js';

/** Images per generator call. */
const GENERATOR_BATCH = 4;

/**
 * `count` images of a generator: image i from seed `seed + i` (z = RandomState(seed + i).randn(zDim)), psi 1,
 * noise 'random'; labels of a conditional network drawn from `labels` by RandomState(seed) in image order.
 * @example const fakes = new GeneratedImages(G, 50000, 0, null);
 */
export class GeneratedImages implements ImageSource {
  readonly name: string;
  private readonly labelIdx: Int32Array | null;
  constructor(
    readonly G: Generator,
    readonly count: number,
    readonly seed: number,
    private readonly labels: ImageDataset | null,
  ) {
    this.name = `the network's images (seeds ${seed}-${seed + count - 1})`;
    if (G.cDim > 0) {
      if (!labels || labels.labelDim !== G.cDim) throw new Error('GeneratedImages: a conditional network needs a data set with matching labels');
      const rs = new RandomState(seed);
      this.labelIdx = Int32Array.from({ length: count }, () => randint(rs, 0, labels.size));
    } else this.labelIdx = null;
  }

  get channels(): number {
    return this.G.imgChannels;
  }
  get height(): number {
    return this.G.imgResolution;
  }
  get width(): number {
    return this.G.imgResolution;
  }

  async images(start: number, n: number): Promise<Uint8Array> {
    const { zDim, cDim, imgChannels: C, imgResolution: R } = this.G;
    const out = new Uint8Array(n * C * R * R); // [n, C, R, R]
    for (let b = 0; b < n; b += GENERATOR_BATCH) {
      const m = Math.min(GENERATOR_BATCH, n - b);
      const z = new Float32Array(m * zDim);
      for (let k = 0; k < m; k++) z.set(zFromSeed(this.seed + start + b + k, zDim), k * zDim);
      const c = this.labelIdx ? new Float32Array(m * cDim) : null;
      for (let k = 0; k < m && c; k++) c.set(this.labels!.label(this.labelIdx![start + b + k]!), k * cDim);
      const img = await this.G.generate(z, c, { psi: 1, noiseMode: 'random', noiseSeed: this.seed + start + b }); // [m, C, R, R]
      for (let k = 0; k < m; k++) {
        const hwc = toUint8Image(img, C, R, R, k); // [R, R, C], as gen_images.py converts
        const base = (b + k) * C * R * R;
        for (let p = 0; p < R * R; p++) for (let ch = 0; ch < C; ch++) out[base + ch * R * R + p] = hwc[p * C + ch]!;
      }
    }
    return out;
  }

  async contentKey(): Promise<string | null> {
    return null;
  }
}

/**
 * A data set's images in file order, at most `count`; `contentKey` identifies the files (for the cache).
 * @example const reals = new DatasetImages(ds, ds.size, async () => hashOf(ds.source));
 */
export class DatasetImages implements ImageSource {
  constructor(
    readonly dataset: ImageDataset,
    readonly count: number,
    private readonly key: () => Promise<string | null>,
  ) {}

  get name(): string {
    return this.dataset.source;
  }
  get channels(): number {
    return this.dataset.channels;
  }
  get height(): number {
    return this.dataset.resolution;
  }
  get width(): number {
    return this.dataset.resolution;
  }

  async images(start: number, n: number): Promise<Uint8Array> {
    const per = this.channels * this.height * this.width;
    const out = new Uint8Array(n * per);
    for (let i = 0; i < n; i++) out.set(await this.dataset.image(start + i), i * per);
    return out;
  }

  contentKey(): Promise<string | null> {
    return this.key();
  }
}
