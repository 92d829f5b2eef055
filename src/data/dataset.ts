// Training data: a folder of images or a zip (ours or NVIDIA dataset_tool.py's), read as training/dataset.py's
// ImageFolderDataset does: image files sorted by name, uint8 CHW, optional class labels from dataset.json.
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { type ImageArchive, IMAGE_EXTENSIONS, openImageArchive } from './archive.js';
import { decodeImage, hwcToChw } from './decode.js';
import type { ImageDataset } from './image-dataset.js';
import { encodeLabel, labelDimOf, listSome, matchLabels, parseDatasetJson } from './labels.js';

export type { ImageDataset } from './image-dataset.js';

/** Options of openDataset. */
export interface OpenDatasetOptions {
  /** Read class labels from dataset.json (an error when it has none); default false, as train.py's --cond. */
  useLabels?: boolean;
  /** Required image resolution (an error when the images differ). */
  resolution?: number;
  /** Decoded images are kept in memory when the whole set fits in this many bytes (default 512 MiB; 0: never). */
  cacheBytes?: number;
}

/** Default memory for the decoded-image cache. */
export const DEFAULT_CACHE_BYTES = 512 * 2 ** 20;

/**
 * Whether n is a power of two (1, 2, 4, ...).
 * @example isPowerOfTwo(64) // true
 */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** Images decoded at once while preloading (sharp works on its own threads). */
const PRELOAD_CONCURRENCY = 4;

const channelName = (c: number): string => (c === 1 ? 'grayscale' : 'RGB');

/**
 * Opens a data set. Checks at once: images present, labels (when used) matching the files both ways, and the
 * first image square, power-of-two, RGB or grayscale. A set that fits the cache is decoded whole here, so every
 * bad image is reported now (all of them, by name) rather than hours into training; in a larger set each image
 * is checked against the first when it is read (run `stylelab dataset` on it to check it all up front).
 * @example
 * const ds = await openDataset('datasets/shapes-16.zip', { useLabels: false });
 * const x = await ds.image(0); // uint8 [3, 16, 16]
 * await ds.close();
 */
export async function openDataset(path: string, o: OpenDatasetOptions = {}): Promise<ImageDataset> {
  const archive = await openImageArchive(path, 'string');
  try {
    const names = archive.imageNames;
    if (names.length === 0) throw new InputError(`${path}: no images found (looked for ${[...IMAGE_EXTENSIONS].join(' ')} files)`);
    const labels = o.useLabels ? await readLabels(archive) : [];
    const first = await decodeImage(await archive.read(names[0]!), fileName(archive, names[0]!));
    const R = first.width;
    if (first.width !== first.height) throw new InputError(`${fileName(archive, names[0]!)}: ${first.width}x${first.height} is not square (make a square data set with \`stylelab dataset --transform center-crop\`)`);
    if (!isPowerOfTwo(R)) throw new InputError(`${path}: resolution ${R} is not a power of two`);
    if (o.resolution !== undefined && o.resolution !== R) throw new InputError(`${path}: images are ${R}x${R}, expected ${o.resolution}x${o.resolution}`);
    const cacheBytes = o.cacheBytes ?? DEFAULT_CACHE_BYTES;
    const cache = names.length * first.channels * R * R <= cacheBytes;
    const ds = new ArchiveDataset(archive, R, first.channels, labels, cache);
    if (cache) await ds.preload();
    return ds;
  } catch (e) {
    await archive.close();
    throw e;
  }
}

/** The file's path as users know it (folder/name, or archive.zip:name). */
function fileName(archive: ImageArchive, name: string): string {
  return archive.kind === 'folder' ? join(archive.source, name) : `${archive.source}:${name}`;
}

/** The labels of every image in order (one-hot or vector), checked against the files both ways. */
async function readLabels(archive: ImageArchive): Promise<Float32Array[]> {
  const where = fileName(archive, 'dataset.json');
  const text = await archive.datasetJson();
  const labels = text === null ? null : parseDatasetJson(text, where);
  if (!labels) throw new InputError(`${archive.source}: labels were asked for but the data set has none (no "labels" in dataset.json)`);
  const { missing, extra } = matchLabels(archive.imageNames, labels);
  if (missing.length) throw new InputError(`${where}: no label for ${missing.length} image(s): ${listSome(missing)}`);
  if (extra.length) throw new InputError(`${where}: ${extra.length} label(s) for missing files: ${listSome(extra)}`);
  const values = archive.imageNames.map((n) => labels.get(n)!);
  const dim = labelDimOf(values);
  return values.map((v) => encodeLabel(v, dim));
}

// A data set over an open archive; decoded images cached when the set is small.
class ArchiveDataset implements ImageDataset {
  readonly size: number;
  readonly labelDim: number;
  private readonly cache: Map<number, Uint8Array> | null;
  private closed = false;

  constructor(
    private readonly archive: ImageArchive,
    readonly resolution: number,
    readonly channels: number,
    private readonly labels: Float32Array[],
    cache: boolean,
  ) {
    this.size = archive.imageNames.length;
    this.labelDim = labels[0]?.length ?? 0;
    this.cache = cache ? new Map() : null;
  }

  get source(): string {
    return this.archive.source;
  }

  /** Decodes and caches every image, a few at a time; fails listing every bad image. */
  async preload(): Promise<void> {
    const bad: { i: number; message: string }[] = [];
    for (let start = 0; start < this.size; start += PRELOAD_CONCURRENCY) {
      const chunk = Array.from({ length: Math.min(PRELOAD_CONCURRENCY, this.size - start) }, (_, k) => start + k);
      const note = (i: number) => (e: unknown) => {
        if (!(e instanceof InputError)) throw e;
        bad.push({ i, message: e.message });
      };
      await Promise.all(chunk.map((i) => this.decoded(i).catch(note(i))));
    }
    bad.sort((a, b) => a.i - b.i);
    if (bad.length) throw new InputError(`${bad.length} bad image(s) in ${this.source}: ${listSome(bad.map((b) => b.message), 10, '; ')}`);
  }

  async image(i: number): Promise<Uint8Array> {
    this.check(i);
    const x = await this.decoded(i);
    return this.cache ? x.slice() : x; // the cache keeps its own copy
  }

  // Image i as uint8 CHW, from the cache or decoded (and then cached) and checked against the first image.
  private async decoded(i: number): Promise<Uint8Array> {
    const cached = this.cache?.get(i);
    if (cached) return cached;
    const name = this.archive.imageNames[i]!;
    const file = fileName(this.archive, name);
    const img = await decodeImage(await this.archive.read(name), file);
    const R = this.resolution;
    if (img.width !== R || img.height !== R || img.channels !== this.channels) {
      throw new InputError(
        `${file}: ${img.width}x${img.height} ${channelName(img.channels)}, expected ${R}x${R} ${channelName(this.channels)} like the rest of ${this.source} (make a uniform data set with \`stylelab dataset\`)`,
      );
    }
    const chw = hwcToChw(img.data, R, R, img.channels); // [C, R, R]
    if (this.closed) throw new InputError(`${this.source}: the data set was closed`);
    this.cache?.set(i, chw);
    return chw;
  }

  label(i: number): Float32Array {
    this.check(i);
    return this.labelDim === 0 ? new Float32Array(0) : this.labels[i]!.slice();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cache?.clear();
    await this.archive.close();
  }

  private check(i: number): void {
    if (this.closed) throw new InputError(`${this.source}: the data set was closed`);
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new InputError(`image index ${i} out of range [0, ${this.size})`);
  }
}
