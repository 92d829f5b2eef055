// Node entry: everything in the core plus onnxruntime-node and file-system loading/saving.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { CheckpointError, InputError } from './errors.js';
import { Engine, type EngineOptions } from './engine/runtime.js';
import { writeFolderAtomic } from './io/atomic-files.js';
import { type Checkpoint, type NetworkRole, readCheckpointBytes, readStylelabModel, writeStylelabModel } from './models/checkpoint.js';

export * from './index.js';
export { writeFileAtomic, writeFolderAtomic } from './io/atomic-files.js';
export { openDataset, type ImageDataset, type OpenDatasetOptions } from './data/dataset.js';
export { convertDataset, type ConvertDatasetOptions, type ConvertDatasetResult, type DatasetTransform } from './data/dataset-tool.js';
export { loadUgatitCheckpoint, saveUgatitModel, readRgbImage } from './models/ugatit-files.js';
export { trainUgatit, type UgatitRunOptions } from './train/ugatit/run.js';
export { UgatitTrainer, DEFAULT_TRAIN_OPTIONS as DEFAULT_UGATIT_TRAIN_OPTIONS, type UgatitTrainOptions } from './train/ugatit/trainer.js';

/**
 * An engine on onnxruntime-node (CPU by default; pass executionProviders: ['cuda', 'cpu'] where CUDA is installed).
 * Parameters of 16M values or more are fed at run time rather than baked (`feedLargeParams`).
 * @example const engine = createEngine({ threads: 2 });
 */
export function createEngine(opts: Omit<EngineOptions, 'ort'> = {}): Engine {
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 0)) throw new InputError(`threads must be a non-negative integer, got ${opts.threads}`);
  return new Engine({ ort: ort as unknown as EngineOptions['ort'], feedLargeParams: 2 ** 24, ...opts });
}

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
export { openMp4Writer, openGifWriter, videoFormatOf, findOnPath, gifDelayMs, type VideoWriter, type VideoSpec, type VideoFormat, type Mp4Options } from './io/video-file.js';

// Training (Node: snapshots and logs on disk).
export { trainRun, createTrainer, type TrainRunOptions, type TrainRunResult } from './train/run.js';
export { Trainer, type TrainingData, type TrainerCounters, type TickStats } from './train/loop.js';
export { defaultTrainingOptions, validateTrainingOptions, TRAINING_CFGS, type TrainingOptions, type TrainingCfg } from './train/options.js';
export { saveSnapshot, readResumeSource, snapshotName, type ResumeSource } from './train/snapshot.js';
export { StyleGAN2Loss, generatorLoss, discriminatorLoss, r1Penalty, pathLengths, pathLengthPenalty, type Phase } from './train/loss.js';
