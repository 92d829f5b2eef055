// Node's side of the metrics: image sets from folders or zips for comparing two sets (any size, the same for every
// image of a set, as pytorch-fid's batches need), content hashes of image files, and the on-disk cache of data
// sets' feature statistics (~/.cache/stylelab/gan-metrics, as the official ~/.cache/dnnlib/gan-metrics), each
// entry an .npz written atomically.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { type ImageArchive, openImageArchive } from '../data/archive.js';
import { decodeImage, hwcToChw } from '../data/decode.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-files.js';
import { readNpz, writeNpy } from '../io/npy.js';
import type { TensorData } from '../io/tensor.js';
import type { StatsCache } from './features.js';
import type { ImageSource } from './metric.js';

/**
 * SHA-256 of a data set's images: a zip's bytes, or a folder's image names and bytes in order.
 * @example const key = await hashImageFiles('datasets/ffhq-256.zip');
 */
export async function hashImageFiles(path: string): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new InputError(`data set not found: ${path}`);
  const h = createHash('sha256');
  if (info.isFile()) {
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
    return `zip:${h.digest('hex')}`;
  }
  const archive = await openImageArchive(path);
  try {
    for (const name of archive.imageNames) h.update(`${name}\0`).update(await archive.read(name));
  } finally {
    await archive.close();
  }
  return `folder:${h.digest('hex')}`;
}

/** An image set of any (uniform) size from a folder or zip: every image file, sorted by name. */
class ArchiveImages implements ImageSource {
  private key: Promise<string> | null = null;
  constructor(
    private readonly archive: ImageArchive,
    readonly channels: number,
    readonly height: number,
    readonly width: number,
  ) {}

  get name(): string {
    return this.archive.source;
  }
  get count(): number {
    return this.archive.imageNames.length;
  }

  async images(start: number, n: number): Promise<Uint8Array> {
    const per = this.channels * this.height * this.width;
    const out = new Uint8Array(n * per);
    for (let i = 0; i < n; i++) {
      const name = this.archive.imageNames[start + i]!;
      const file = `${this.archive.source}${this.archive.kind === 'zip' ? ':' : '/'}${name}`;
      const img = await decodeImage(await this.archive.read(name), file, 'drop'); // transparency ignored, as pytorch-fid
      if (img.width !== this.width || img.height !== this.height || img.channels !== this.channels) {
        throw new InputError(`${file}: ${img.width}x${img.height}x${img.channels}, but the set's first image is ${this.width}x${this.height}x${this.channels} (every image of a set must match; \`stylelab dataset\` can resize them)`);
      }
      out.set(hwcToChw(img.data, img.height, img.width, img.channels), i * per);
    }
    return out;
  }

  contentKey(): Promise<string> {
    this.key ??= hashImageFiles(this.archive.source);
    return this.key;
  }

  close(): Promise<void> {
    return this.archive.close();
  }
}

/**
 * Opens a folder or zip of images of one size (checked as they are read) for a metric between two sets.
 * @example const a = await openImageSet('generated/'); ...; await a.close();
 */
export async function openImageSet(path: string): Promise<ImageSource & { close(): Promise<void> }> {
  const archive = await openImageArchive(path);
  try {
    if (archive.imageNames.length === 0) throw new InputError(`${path}: no images found`);
    const first = await decodeImage(await archive.read(archive.imageNames[0]!), `${path}/${archive.imageNames[0]}`, 'drop');
    return new ArchiveImages(archive, first.channels, first.height, first.width);
  } catch (e) {
    await archive.close();
    throw e;
  }
}

/** The cache folder: $STYLELAB_CACHE, else $XDG_CACHE_HOME/stylelab, else ~/.cache/stylelab; then gan-metrics. */
export function defaultCacheDir(): string {
  const base = process.env.STYLELAB_CACHE ?? (process.env.XDG_CACHE_HOME ? join(process.env.XDG_CACHE_HOME, 'stylelab') : join(homedir(), '.cache', 'stylelab'));
  return join(base, 'gan-metrics');
}

/**
 * Data-set feature statistics on disk, one .npz per key (named by the key's SHA-256), written atomically.
 * @example const cache = new FileStatsCache(defaultCacheDir());
 */
export class FileStatsCache implements StatsCache {
  constructor(readonly dir: string) {}

  private path(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.npz`);
  }

  async load(key: string): Promise<ReadonlyMap<string, TensorData> | null> {
    const p = this.path(key);
    if (!existsSync(p)) return null;
    const arrays = readNpz(new Uint8Array(readFileSync(p)));
    const stored = arrays.get('key');
    // The key is stored too: a hash collision or a foreign file is a miss, not wrong statistics.
    if (!stored || new TextDecoder().decode(stored.data as Uint8Array) !== key) return null;
    return arrays;
  }

  async save(key: string, arrays: Record<string, TensorData>): Promise<void> {
    const kb = new TextEncoder().encode(key);
    const files: Record<string, Uint8Array> = { 'key.npy': writeNpy({ dtype: 'uint8', shape: [kb.length], data: kb }) };
    for (const [name, t] of Object.entries(arrays)) files[`${name}.npy`] = writeNpy(t);
    writeFileAtomic(this.path(key), zipSync(files, { level: 0 }));
  }
}
