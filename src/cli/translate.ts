// `stylelab translate`: UGATIT.py's test phase on image files. Each image is read as RGB, resized to the
// model size with PIL's bilinear filter, normalised to [-1, 1], translated, de-normalised and written as a PNG
// of the same base name; --heatmap adds utils.cam's heatmap of the generator's CAM as <name>_heatmap.png.
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { InputError } from '../errors.js';
import type { Direction } from '../nets/ugatit/config.js';
import { describeConfig } from '../models/ugatit-checkpoint.js';
import { IMAGE_EXTENSIONS, loadUgatitCheckpoint, readRgbImage } from '../models/ugatit-files.js';
import { camImage, resizeBilinearPil, toModelInput, toOutputImage } from '../models/ugatit-pipeline.js';
import { UgatitModel } from '../models/ugatit.js';
import { createEngine } from '../node.js';
import { checkOutdir, parseIndex } from './options.js';
import { encodePng, type GlobalOptions, shownDir, withProgress, writeOutput } from './session.js';

/** The options as commander hands them over (strings, checked here). */
export interface TranslateArgs {
  checkpoint: string;
  direction: string;
  input: string;
  outdir: string;
  imgSize?: string;
  heatmap?: boolean;
}

/**
 * `--direction A2B|B2A` (case-insensitive).
 * @example parseDirection('b2a') // 'B2A'
 */
export function parseDirection(text: string): Direction {
  const d = text.toUpperCase();
  if (d !== 'A2B' && d !== 'B2A') throw new InputError(`unknown --direction '${text}': expected A2B or B2A`);
  return d;
}

/**
 * The image files named by --input: the file itself, or a folder's image files sorted by name.
 * @example listInputImages('photos/') // ['photos/a.jpg', 'photos/b.png']
 */
export function listInputImages(input: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(input).isDirectory();
  } catch {
    throw new InputError(`--input ${input} not found`);
  }
  if (!isDir) return [input];
  const files = readdirSync(input)
    .filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()) && !f.startsWith('.'))
    .sort()
    .map((f) => join(input, f));
  if (files.length === 0) throw new InputError(`--input ${input} holds no images (${IMAGE_EXTENSIONS.join(', ')})`);
  // Two inputs with one base name (a.jpg, a.png) would write the same output.
  const seen = new Map<string, string>();
  for (const f of files) {
    const base = outputBase(f);
    if (seen.has(base)) throw new InputError(`--input ${input} holds ${basename(seen.get(base)!)} and ${basename(f)}, which would both be written as ${base}.png`);
    seen.set(base, f);
  }
  return files;
}

const outputBase = (file: string): string => basename(file, extname(file));

/**
 * Translates every input image and returns the summary line.
 * @example await runTranslate({ checkpoint: 'selfie2anime_params_0100000.pt', direction: 'A2B', input: 'faces/', outdir: 'out' }, {});
 */
export async function runTranslate(a: TranslateArgs, g: GlobalOptions): Promise<string> {
  // Check every option before loading anything.
  const direction = parseDirection(a.direction);
  const imgSize = a.imgSize === undefined ? undefined : parseIndex(a.imgSize, '--img-size');
  checkOutdir(a.outdir);
  const files = listInputImages(a.input);
  const ckpt = loadUgatitCheckpoint(a.checkpoint, imgSize === undefined ? {} : { imgSize });
  const net = direction === 'A2B' ? 'genA2B' : 'genB2A';
  if (!ckpt.networks[net]) throw new InputError(`the checkpoint holds no ${net}, so it cannot translate ${direction}`);
  const size = ckpt.config.imgSize;

  const engine = createEngine({ threads: g.threads });
  const model = new UgatitModel(engine, ckpt);
  try {
    await withProgress(files.length, `translating ${direction}`, async (p) => {
      for (const file of files) {
        const img = resizeBilinearPil(await readRgbImage(file), size, size);
        const { out, heatmap } = await model.translate(direction, toModelInput(img), 1);
        const base = join(a.outdir, outputBase(file));
        const rgb = toOutputImage(out.data, size, size);
        writeOutput(`${base}.png`, await encodePng(rgb.data, size, size, 3));
        if (a.heatmap) {
          const cam = camImage(heatmap.data, heatmap.shape[3]!, heatmap.shape[2]!, size);
          writeOutput(`${base}_heatmap.png`, await encodePng(cam.data, size, size, 3));
        }
        p.tick();
      }
    }, { quiet: g.quiet });
  } finally {
    await model.dispose();
    await engine.dispose();
  }
  const n = files.length;
  return `translated ${n} image${n === 1 ? '' : 's'} ${direction} with a ${describeConfig(ckpt.config)} U-GAT-IT to ${shownDir(a.outdir)}`;
}
