// A training data set from a folder or zip of images, as NVlabs stylegan3 dataset_tool.py: images found
// recursively and sorted, optional center-crop resized with PIL's LANCZOS (re-implemented bit-exact), uncompressed
// PNGs `00000/img00000000.png` in a stored zip, dataset.json labels carried over. Unlike
// the official tool, bad files are never dropped silently: they are all listed, and the tool fails (or, with
// skipBad, leaves them out and returns them).
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import { InputError } from '../errors.js';
import { type ImageArchive, openImageArchive } from './archive.js';
import { isPowerOfTwo } from './dataset.js';
import { type DecodedImage, decodeImage, type Rgb } from './decode.js';
import { cropImage, resizePil } from './pil-resize.js';
import { type LabelValue, labelDimOf, listSome, matchLabels, parseDatasetJson } from './labels.js';
import { ZipWriter } from './zip-writer.js';

/** dataset_tool.py's --transform. */
export type DatasetTransform = 'center-crop' | 'center-crop-wide';

/** Options of convertDataset. */
export interface ConvertDatasetOptions {
  source: string; // folder or zip of images
  dest: string; // the .zip to write
  /** Output width and height (height < width only with center-crop-wide); default: the images' own size. */
  resolution?: { width: number; height: number };
  transform?: DatasetTransform;
  /** Leave bad files out (and return them) instead of failing. */
  skipBad?: boolean;
  /** Composite transparent images onto this colour (default: refuse them). */
  background?: Rgb;
  /** Convert at most this many images (the first ones in order). */
  maxImages?: number;
  /** Called after each source image (for a progress bar). */
  onImage?: (done: number, total: number) => void;
}

/** A source file left out, and why. */
export interface BadFile {
  name: string;
  reason: string;
}

/** What convertDataset wrote. */
export interface ConvertDatasetResult {
  written: number;
  resolution: number;
  channels: number;
  /** Number of classes (or label vector length); null when unlabelled. */
  labelDim: number | null;
  bad: BadFile[];
  /** Labels in dataset.json naming no image (listed; only with skipBad, else an error). */
  extraLabels: string[];
}

/** Images processed at once (sharp decodes on its own threads). */
const CONCURRENCY = 4;

/**
 * The name dataset_tool.py gives image idx in the archive.
 * @example archiveName(123456) // '00123/img00123456.png'
 */
export function archiveName(idx: number): string {
  const s = String(idx).padStart(8, '0');
  return `${s.slice(0, 5)}/img${s}.png`;
}

/**
 * Crops and resizes as dataset_tool.py's transforms, on HWC pixels (PIL's LANCZOS, bit-exact); throws an InputError
 * when the image is too small for center-crop-wide (the official tool drops it silently).
 * @example const out = transformImage(img, 'center-crop', 64, 64); // 64 x 64
 */
export function transformImage(img: DecodedImage, transform: DatasetTransform, width: number, height: number): DecodedImage {
  const { width: w, height: h, channels } = img;
  let region: { left: number; top: number; width: number; height: number };
  if (transform === 'center-crop') {
    const crop = Math.min(w, h);
    region = { left: Math.floor((w - crop) / 2), top: Math.floor((h - crop) / 2), width: crop, height: crop };
  } else {
    const ch = roundHalfEven((width * h) / w); // rows kept so that the crop has the output's aspect ratio
    if (w < width || ch < height) throw new InputError(`${w}x${h} is too small for center-crop-wide to ${width}x${height}`);
    region = { left: 0, top: Math.floor((h - ch) / 2), width: w, height: ch };
  }
  const cropped = cropImage(img, region.left, region.top, region.width, region.height);
  const pixels = resizePil(cropped, width, height, 'lanczos').data;
  if (transform === 'center-crop-wide') {
    // Letterbox: the W x H image centred on a black W x W canvas.
    const canvas = new Uint8Array(width * width * channels);
    canvas.set(pixels, Math.floor((width - height) / 2) * width * channels);
    return { data: canvas, width, height: width, channels };
  }
  return { data: pixels, width, height, channels };
}

/** np.round: halves to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** An uncompressed PNG (compress_level=0 as dataset_tool.py), 'L' for 1 channel, 'RGB' for 3. */
async function encodePng(img: DecodedImage): Promise<Uint8Array> {
  let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels as 1 | 3 } });
  if (img.channels === 1) s = s.toColourspace('b-w');
  return s.png({ compressionLevel: 0 }).toBuffer();
}

const describeImage = (img: DecodedImage): string => `${img.width}x${img.height} ${img.channels === 1 ? 'grayscale' : 'RGB'}`;

/**
 * Writes a training data set zip (atomically: a temporary file renamed into place; nothing is left on failure).
 * @example
 * const r = await convertDataset({ source: 'photos/', dest: 'datasets/photos-64.zip', resolution: { width: 64, height: 64 }, transform: 'center-crop' });
 * console.log(`${r.written} images`);
 */
export async function convertDataset(o: ConvertDatasetOptions): Promise<ConvertDatasetResult> {
  const out = checkOptions(o);
  const isFolder = statSync(o.source, { throwIfNoEntry: false })?.isDirectory() ?? false;
  const archive = await openImageArchive(o.source, isFolder ? 'path' : 'string');
  const tmp = join(dirname(o.dest), `.${basename(o.dest)}.${process.pid}.tmp`);
  let fd = -1;
  try {
    const names = archive.imageNames.slice(0, o.maxImages ?? Infinity);
    if (names.length === 0) throw new InputError(`${o.source}: no images found`);
    const { labels, extra } = await sourceLabels(archive, names, !!o.skipBad);
    try {
      mkdirSync(dirname(o.dest), { recursive: true });
      fd = openSync(tmp, 'w');
    } catch (e) {
      throw new InputError(`cannot write ${o.dest}: ${(e as Error).message}`);
    }
    const zip = new ZipWriter(fd);
    const bad: BadFile[] = [];
    const outLabels: [string, LabelValue][] = [];
    let first: { name: string; img: DecodedImage } | null = null;
    for (let start = 0; start < names.length; start += CONCURRENCY) {
      const chunk = names.slice(start, start + CONCURRENCY);
      const results = await Promise.all(chunk.map((name) => prepare(archive, name, labels, o, out)));
      for (const [k, r] of results.entries()) {
        const name = chunk[k]!;
        o.onImage?.(start + k + 1, names.length);
        if ('reason' in r) {
          bad.push({ name, reason: r.reason });
          continue;
        }
        const why = mismatch(r.img, first, o);
        if (why) {
          bad.push({ name, reason: why });
          continue;
        }
        // The first good image fixes the data set's size and channels (dataset_tool.py's dataset_attrs).
        first ??= { name, img: r.img };
        zip.add(archiveName(start + k), r.png);
        if (labels) outLabels.push([archiveName(start + k), labels.get(name)!]);
      }
    }
    if (bad.length && !o.skipBad) {
      const list = listSome(bad.map((b) => `${b.name}: ${b.reason}`), 10, '; ');
      throw new InputError(`${bad.length} bad image(s) in ${o.source}, nothing written (fix them, or pass --skip-bad to leave them out): ${list}`);
    }
    const written = names.length - bad.length;
    if (!first || written === 0) throw new InputError(`${o.source}: no usable images (${listSome(bad.map((b) => `${b.name}: ${b.reason}`), 10, '; ')})`);
    zip.add('dataset.json', new TextEncoder().encode(JSON.stringify({ labels: labels ? outLabels : null })));
    zip.finish();
    closeSync(fd);
    fd = -1;
    renameSync(tmp, o.dest);
    const labelDim = labels ? labelDimOf(outLabels.map(([, v]) => v)) : null;
    return { written, resolution: first.img.width, channels: first.img.channels, labelDim, bad, extraLabels: extra };
  } finally {
    if (fd >= 0) closeSync(fd);
    rmSync(tmp, { force: true });
    await archive.close();
  }
}

/** Output size checks done before reading anything. */
function checkOptions(o: ConvertDatasetOptions): { width: number; height: number } | null {
  if (!o.dest.toLowerCase().endsWith('.zip')) throw new InputError(`--dest must be a .zip file, got ${o.dest}`);
  if (statSync(o.dest, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(`--dest ${o.dest} is a folder`);
  const r = o.resolution;
  if (o.transform && !r) throw new InputError(`--transform ${o.transform} needs --resolution`);
  if (!r) return null;
  if (!isPowerOfTwo(r.width)) throw new InputError(`--resolution must be a power of two, got ${r.width}`);
  if (r.height !== r.width && o.transform !== 'center-crop-wide') throw new InputError(`--resolution ${r.width}x${r.height} is not square (only center-crop-wide letterboxes a wide image into a square)`);
  if (r.height > r.width) throw new InputError(`--resolution ${r.width}x${r.height}: the height must not exceed the width`);
  return r;
}

/** dataset.json of the source checked against the images (missing labels are bad files; extra ones an error unless skipBad). */
async function sourceLabels(archive: ImageArchive, names: string[], skipBad: boolean): Promise<{ labels: Map<string, LabelValue> | null; extra: string[] }> {
  const text = await archive.datasetJson();
  const labels = text === null ? null : parseDatasetJson(text, `${archive.source}/dataset.json`);
  if (!labels) return { labels, extra: [] };
  const { extra } = matchLabels(archive.imageNames, labels);
  if (extra.length && !skipBad) throw new InputError(`${archive.source}/dataset.json: ${extra.length} label(s) for missing files, nothing written (fix dataset.json, or pass --skip-bad): ${listSome(extra)}`);
  return { labels, extra };
}

/** One source image decoded, transformed and encoded, or the reason it is bad. */
async function prepare(
  archive: ImageArchive,
  name: string,
  labels: Map<string, LabelValue> | null,
  o: ConvertDatasetOptions,
  out: { width: number; height: number } | null,
): Promise<{ img: DecodedImage; png: Uint8Array } | { reason: string }> {
  if (labels && !labels.has(name)) return { reason: 'no label in dataset.json' };
  try {
    let img = await decodeImage(await archive.read(name), name, o.background);
    if (o.transform && out) img = transformImage(img, o.transform, out.width, out.height);
    return { img, png: await encodePng(img) };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { reason: e.message.startsWith(`${name}: `) ? e.message.slice(name.length + 2) : e.message };
  }
}

/** Why an image does not fit the data set (square, power of two, same size and channels as the first), or null. */
function mismatch(img: DecodedImage, first: { name: string; img: DecodedImage } | null, o: ConvertDatasetOptions): string | null {
  const hint = o.transform ? '' : ' (use --transform center-crop to crop and resize)';
  if (img.width !== img.height) return `${img.width}x${img.height} is not square${hint}`;
  if (o.resolution && !o.transform && img.width !== o.resolution.width) return `${img.width}x${img.height}, expected ${o.resolution.width}x${o.resolution.width}${hint}`;
  if (!isPowerOfTwo(img.width)) return `${img.width}x${img.height}: the size must be a power of two${hint}`;
  if (first && (img.width !== first.img.width || img.channels !== first.img.channels)) {
    return `${describeImage(img)}, expected ${describeImage(first.img)} like ${first.name}${img.width !== first.img.width ? hint : ''}`;
  }
  return null;
}
