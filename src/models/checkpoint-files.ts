// StyleGAN checkpoints on disk (Node): NVIDIA .pkl snapshots and stylelab model folders, read and written.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CheckpointError, InputError } from '../errors.js';
import { writeFolderAtomic } from '../io/atomic-files.js';
import { type Checkpoint, type NetworkRole, readCheckpointBytes, readStylelabModel, writeStylelabModel } from './checkpoint.js';

function readBytes(path: string, what: string): Uint8Array {
  if (!existsSync(path)) throw new InputError(`${what} not found: ${path}`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

/**
 * Loads a checkpoint from a path: an NVIDIA .pkl file, or a stylelab model folder (config.json + weights.safetensors)
 * or its config.json.
 * @example const ckpt = loadCheckpoint('network-snapshot-000000.pkl');
 */
export function loadCheckpoint(path: string): Checkpoint {
  if (!existsSync(path)) throw new InputError(`network not found: ${path}`);
  const isDir = statSync(path).isDirectory();
  if (isDir || basename(path) === 'config.json') {
    const dir = isDir ? path : dirname(path);
    const config = join(dir, 'config.json');
    if (!existsSync(config)) throw new CheckpointError(`${dir} is a folder without config.json: not a stylelab model`);
    return readStylelabModel(readFileSync(config, 'utf8'), readBytes(join(dir, 'weights.safetensors'), 'model weights'));
  }
  return readCheckpointBytes(readBytes(path, 'network'));
}

/**
 * Saves networks in stylelab's format to a folder (written to a temporary folder, then renamed into place).
 * @example saveStylelabModel(ckpt, 'models/ffhq', ['G_ema']);
 */
export function saveStylelabModel(ckpt: Checkpoint, dir: string, roles?: readonly NetworkRole[]): void {
  const { configJson, weights } = writeStylelabModel(ckpt, roles);
  writeFolderAtomic(dir, { 'weights.safetensors': weights, 'config.json': configJson });
}
