// What every command shares: opening a network on an engine (and always releasing both), PNG output,
// the progress display (progress.ts), and the lines the CLI prints.
import sharp from 'sharp';
import { InputError } from '../errors.js';
import type { Checkpoint } from '../models/checkpoint.js';
import { toUint8Image } from '../models/generate.js';
import { openGenerator } from '../models/open.js';
import type { Generator } from '../models/generator.js';
import { oneHot } from '../models/stylegan2.js';
import { createEngine, loadCheckpoint, writeFileAtomic } from '../node.js';

/** Options every command accepts (defined on the program, usable before or after the command name). */
export interface GlobalOptions {
  threads?: number;
  verbose?: boolean;
  /** No progress bar or progress lines. */
  quiet?: boolean;
}

/** A warning on stderr (one line; the run goes on). */
export function warn(message: string): void {
  process.stderr.write(`stylelab: warning: ${message}\n`);
}

/**
 * Loads a checkpoint, opens its generator (G_ema, else G) on a fresh engine, runs `fn`, and releases the
 * generator and the engine whatever happens.
 * @example await withGenerator('network.pkl', {}, async (G) => G.generate(z, null));
 */
export async function withGenerator<T>(network: string, g: GlobalOptions, fn: (G: Generator, ckpt: Checkpoint) => Promise<T>): Promise<T> {
  const ckpt = loadCheckpoint(network);
  const engine = createEngine({ threads: g.threads });
  let G: Generator | null = null;
  try {
    G = openGenerator(engine, ckpt);
    return await fn(G, ckpt);
  } finally {
    try {
      await G?.dispose();
    } finally {
      await engine.dispose();
    }
  }
}

/**
 * The one-hot label of gen_images.py: a conditional network needs --class, in range; on an unconditional
 * network --class contradicts the network and is an error (gen_images.py only warns), like the CLI's other
 * contradictory options.
 * @example const c = labelFor(G, 2);
 */
export function labelFor(G: { cDim: number }, classIdx: number | undefined): Float32Array {
  return oneHot(G.cDim, classIdx ?? null);
}

/**
 * PNG bytes of a uint8 HWC image: grayscale for 1 channel, RGB for 3, RGBA for 4.
 * @example const png = await encodePng(u8, 32, 32, 3);
 */
export async function encodePng(u8: Uint8Array, width: number, height: number, channels: number): Promise<Uint8Array> {
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new InputError(`cannot write a PNG with ${channels} channels (expected 1, 3 or 4)`);
  if (u8.length !== width * height * channels) throw new InputError(`encodePng: expected ${width * height * channels} values, got ${u8.length}`);
  const buf = Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
  let image = sharp(buf, { raw: { width, height, channels } });
  if (channels === 1) image = image.toColourspace('b-w'); // else sharp writes gray pixels as RGB
  const png = await image.png().toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

const WRITE_FAILURES: Record<string, string> = {
  EISDIR: 'a folder of that name is in the way',
  ENOTDIR: 'a file is in the way of its folder',
  EEXIST: 'a file is in the way of its folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
};

/**
 * Writes a file atomically (temporary name, then rename), with an error that names the file and not
 * the temporary one.
 * @example writeOutput('out/grid.png', png);
 */
export function writeOutput(path: string, data: Uint8Array): void {
  try {
    writeFileAtomic(path, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`cannot write ${path}: ${(code && WRITE_FAILURES[code]) ?? (e as Error).message}`);
  }
}

/**
 * Writes image 0 of an NCHW float batch in [-1, 1] as a PNG, converted as gen_images.py does.
 * Returns the uint8 HWC pixels (for grids).
 * @example await writeImage(img, G, 'out/seed0000.png');
 */
export async function writeImage(img: Float32Array, G: Generator, path: string): Promise<Uint8Array> {
  const { imgChannels: C, imgResolution: R } = G;
  const u8 = toUint8Image(img, C, R, R);
  writeOutput(path, await encodePng(u8, R, R, C));
  return u8;
}

export { type Progress, progress, withProgress } from './progress.js';

/** `out/` style folder name for summaries. */
export function shownDir(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}
