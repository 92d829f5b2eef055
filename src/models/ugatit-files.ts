// U-GAT-IT files on disk (Node): official `.pt` snapshots and stylelab model folders, read and written, and
// image files read as PIL's Image.open(path).convert('RGB') reads them.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import { CheckpointError, InputError } from '../errors.js';
import { writeFolderAtomic } from '../io/atomic-files.js';
import { SniffedFile, sniffFile } from '../io/sniff.js';
import { loadTorchFile } from '../io/torch.js';
import type { UgatitConfig, UgatitNet } from '../nets/ugatit/config.js';
import type { ImageU8 } from './ugatit-pipeline.js';
import { isUgatitConfigJson, readUgatitModel, readUgatitParams, type UgatitCheckpoint, ugatitFromTorchObject, writeUgatitModel } from './ugatit-checkpoint.js';

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
}

/**
 * Loads a U-GAT-IT checkpoint: an official `<dataset>_params_NNNNNNN.pt` (zip or legacy torch.save) or a stylelab
 * model folder (or its config.json). `given.imgSize` sets the size of a light-mode model; a full-mode model's
 * size is fixed by its weights and a different one is an error.
 * @example const ckpt = loadUgatitCheckpoint('selfie2anime_params_0100000.pt', { imgSize: 256 });
 */
export function loadUgatitCheckpoint(path: string, given: Partial<UgatitConfig> = {}): UgatitCheckpoint {
  if (!existsSync(path)) throw new InputError(`checkpoint not found: ${path}`);
  if (statSync(path).isDirectory() || basename(path) === 'config.json') {
    const dir = statSync(path).isDirectory() ? path : dirname(path);
    const configPath = join(dir, 'config.json');
    if (!existsSync(configPath)) throw new CheckpointError(`${dir} is a folder without config.json: not a stylelab model`);
    const configJson = readFileSync(configPath, 'utf8');
    if (!isUgatitConfigJson(configJson)) throw new CheckpointError(`${dir} is not a U-GAT-IT model (its config.json names another architecture); use generate/style-mix for StyleGAN models`);
    const ckpt = readUgatitModel(configJson, readBytes(join(dir, 'weights.safetensors')));
    return withImgSize(ckpt, given.imgSize);
  }
  const file = sniffFile(readBytes(path));
  if (file.kind === 'pickle' || file.kind === 'tf-pickle') {
    throw new CheckpointError('this is a pickle, not a torch.save U-GAT-IT snapshot (StyleGAN network pickles are for generate/style-mix)');
  }
  return readUgatitParams(file, given);
}

/**
 * The U-GAT-IT checkpoint at `path` when it holds one (an official `.pt` snapshot or a stylelab U-GAT-IT model
 * folder), else null: a StyleGAN network or anything else, which the caller's own loader then explains. Of a
 * file that is not a torch.save file only the first bytes are read.
 * @example const ug = loadUgatitCheckpointIfAny(path); if (ug) describeConfig(ug.config);
 */
export function loadUgatitCheckpointIfAny(path: string): UgatitCheckpoint | null {
  if (!existsSync(path)) return null;
  const isDir = statSync(path).isDirectory();
  if (isDir || basename(path) === 'config.json') {
    const configPath = join(isDir ? path : dirname(path), 'config.json');
    if (!existsSync(configPath) || !isUgatitConfigJson(readFileSync(configPath, 'utf8'))) return null;
    return loadUgatitCheckpoint(path);
  }
  // The kinds that can hold a U-GAT-IT snapshot are told by the first 32 bytes: the head's sniff is the file's.
  const { kind } = sniffFile(readHead(path, 64));
  if (kind !== 'zip' && kind !== 'torch-legacy') return null;
  return ugatitFromTorchObject(loadTorchFile(new SniffedFile(readBytes(path), kind)));
}

/** The first `n` bytes of a file (fewer when it is shorter). */
function readHead(path: string, n: number): Uint8Array {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const buf = new Uint8Array(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } catch (e) {
    throw new InputError(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** The checkpoint run at another size (light mode only: full mode's MLP fixes the size). */
function withImgSize(ckpt: UgatitCheckpoint, imgSize: number | undefined): UgatitCheckpoint {
  if (imgSize === undefined || imgSize === ckpt.config.imgSize) return ckpt;
  if (!ckpt.config.light) throw new CheckpointError(`the checkpoint is a full-mode model for ${ckpt.config.imgSize}x${ckpt.config.imgSize} images; it cannot run at ${imgSize}`);
  return { ...ckpt, config: { ...ckpt.config, imgSize } };
}


/**
 * Saves a U-GAT-IT checkpoint in stylelab's format (config.json + weights.safetensors), atomically.
 * @example saveUgatitModel(readUgatitParams(bytes), 'models/selfie2anime', ['genA2B', 'genB2A']);
 */
export function saveUgatitModel(ckpt: UgatitCheckpoint, dir: string, nets?: readonly UgatitNet[], extra: Record<string, Uint8Array> = {}): void {
  const { configJson, weights } = writeUgatitModel(ckpt, nets);
  writeFolderAtomic(dir, { ...extra, 'weights.safetensors': weights, 'config.json': configJson });
}

/** File name extensions read from an input folder. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff'];

/**
 * Reads an image file as 8-bit RGB (alpha dropped, grey expanded), as PIL's convert('RGB') does.
 * @example const img = await readRgbImage('face.jpg');
 */
export async function readRgbImage(path: string): Promise<ImageU8> {
  try {
    const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    throw new InputError(`cannot read image ${path}: ${(e as Error).message}`);
  }
}
