// The unpaired two-domain data set of UGATIT.py: DIR/trainA, DIR/trainB (and optional DIR/testA, DIR/testB),
// with the official training transform: RandomHorizontalFlip, Resize((size + 30, size + 30)), RandomCrop(size),
// ToTensor, Normalize(0.5, 0.5). Images are decoded when drawn, so large folders need little memory.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import { IMAGE_EXTENSIONS, readRgbImage } from '../../models/ugatit-files.js';
import { type ImageU8, resizeBilinearPil, toModelInput } from '../../models/ugatit-pipeline.js';
import { Rng } from './rng.js';

/** Extra pixels of the resize before the random crop (UGATIT.py: img_size + 30). */
export const CROP_MARGIN = 30;

/** The image files of a domain folder, sorted by name (empty when the folder is absent and optional). */
export function domainFiles(dir: string, required: boolean): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    if (required) throw new InputError(`${dir} not found: the data folder needs trainA/ and trainB/ with images`);
    return [];
  }
  const files = readdirSync(dir).filter((f) => IMAGE_EXTENSIONS.includes(f.slice(f.lastIndexOf('.')).toLowerCase()) && !f.startsWith('.')).sort();
  if (required && files.length === 0) throw new InputError(`${dir} holds no images (${IMAGE_EXTENSIONS.join(', ')})`);
  return files.map((f) => join(dir, f));
}

/** Mirrors an RGB image left to right. */
function flipHorizontal(img: ImageU8): ImageU8 {
  const { width: w, height: h } = img;
  const data = new Uint8Array(img.data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = img.data[(y * w + (w - 1 - x)) * 3 + c]!;
  return { ...img, data };
}

/** A size x size window of an RGB image at (left, top). */
function crop(img: ImageU8, left: number, top: number, size: number): ImageU8 {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) data.set(img.data.subarray(((top + y) * img.width + left) * 3, ((top + y) * img.width + left + size) * 3), y * size * 3);
  return { data, width: size, height: size, channels: 3 };
}

/**
 * The training transform of one image, with its random choices drawn from `rng`: [3, size, size] in [-1, 1].
 * @example const x = augment(img, 256, new Rng(0, 1));
 */
export function augment(img: ImageU8, size: number, rng: Rng): Float32Array {
  const flipped = rng.uniform() < 0.5 ? flipHorizontal(img) : img;
  const big = resizeBilinearPil(flipped, size + CROP_MARGIN, size + CROP_MARGIN);
  const top = rng.int(CROP_MARGIN + 1);
  const left = rng.int(CROP_MARGIN + 1);
  return toModelInput(crop(big, left, top, size));
}

/**
 * Both domains of a data folder. Batches are drawn by iteration number: each epoch of a domain is a seeded
 * permutation (a DataLoader with shuffle=True), so a resumed run draws what the uninterrupted one would.
 * @example const data = new TwoDomainData('selfie2anime', 256, 0); const { a, b } = await data.batch(1, 1);
 */
export class TwoDomainData {
  readonly trainA: string[];
  readonly trainB: string[];
  readonly testA: string[];
  readonly testB: string[];
  constructor(
    readonly dir: string,
    readonly size: number,
    readonly seed: number,
  ) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`--data ${dir} is not a folder`);
    this.trainA = domainFiles(join(dir, 'trainA'), true);
    this.trainB = domainFiles(join(dir, 'trainB'), true);
    this.testA = domainFiles(join(dir, 'testA'), false);
    this.testB = domainFiles(join(dir, 'testB'), false);
  }

  /** The file drawn from a domain for sample `k` (0-based over the whole run). */
  private pick(files: string[], domain: number, k: number): string {
    const epoch = Math.floor(k / files.length);
    return files[new Rng(this.seed, 0x10000 + epoch * 2 + domain).permutation(files.length)[k % files.length]!]!;
  }

  /**
   * The augmented batch of an iteration (1-based): a and b, each [batch, 3, size, size].
   * @example const { a, b } = await data.batch(iteration, 1);
   */
  async batch(iteration: number, batch: number): Promise<{ a: Float32Array; b: Float32Array }> {
    const per = 3 * this.size * this.size;
    const draw = async (files: string[], domain: number) => {
      const out = new Float32Array(batch * per);
      for (let i = 0; i < batch; i++) {
        const k = (iteration - 1) * batch + i;
        const rng = new Rng(this.seed, 0x20000000 + k * 2 + domain);
        out.set(augment(await readRgbImage(this.pick(files, domain, k)), this.size, rng), i * per);
      }
      return out;
    };
    return { a: await draw(this.trainA, 0), b: await draw(this.trainB, 1) };
  }

  /** The first test image of a domain (train image when there is no test folder), resized and normalised. */
  async sample(domain: 'A' | 'B'): Promise<Float32Array> {
    const files = domain === 'A' ? (this.testA.length ? this.testA : this.trainA) : this.testB.length ? this.testB : this.trainB;
    return toModelInput(resizeBilinearPil(await readRgbImage(files[0]!), this.size, this.size));
  }
}
