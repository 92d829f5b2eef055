// Node entry: everything in the core plus onnxruntime-node and file-system loading/saving.
import * as ort from 'onnxruntime-node';
import { InputError } from './errors.js';
import { Engine, type EngineOptions } from './engine/runtime.js';

export * from './index.js';
export { writeFileAtomic, writeFolderAtomic } from './io/atomic-files.js';
export { openDataset, type ImageDataset, type OpenDatasetOptions } from './data/dataset.js';
export { convertDataset, type ConvertDatasetOptions, type ConvertDatasetResult, type DatasetTransform } from './data/dataset-tool.js';
export { loadCheckpoint, saveStylelabModel } from './models/checkpoint-files.js';
export { loadUgatitCheckpoint, saveUgatitModel, readRgbImage } from './models/ugatit-files.js';
export { trainUgatit, type UgatitRunOptions } from './train/ugatit/run.js';
export { UgatitTrainer, DEFAULT_TRAIN_OPTIONS as DEFAULT_UGATIT_TRAIN_OPTIONS, type UgatitTrainOptions } from './train/ugatit/trainer.js';
export { NetFiles, resolveNetFile, FEATURE_NET_FILES, METRIC_NETS_ENV, type NetFileOptions } from './metrics/net-files.js';
export { FileStatsCache, defaultCacheDir, openImageSet, hashImageFiles } from './metrics/node-sources.js';

/**
 * An engine on onnxruntime-node (CPU by default; pass executionProviders: ['cuda', 'cpu'] where CUDA is installed).
 * Parameters of 16M values or more are fed at run time rather than baked (`feedLargeParams`).
 * @example const engine = createEngine({ threads: 2 });
 */
export function createEngine(opts: Omit<EngineOptions, 'ort'> = {}): Engine {
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 0)) throw new InputError(`threads must be a non-negative integer, got ${opts.threads}`);
  return new Engine({ ort: ort as unknown as EngineOptions['ort'], feedLargeParams: 2 ** 24, ...opts });
}

export { openMp4Writer, openGifWriter, videoFormatOf, findOnPath, gifDelayMs, type VideoWriter, type VideoSpec, type VideoFormat, type Mp4Options } from './io/video-file.js';

// Training (Node: snapshots and logs on disk).
export { trainRun, createTrainer, type TrainRunOptions, type TrainRunResult } from './train/run.js';
export { Trainer, type TrainingData, type TrainerCounters, type TickStats } from './train/loop.js';
export { defaultTrainingOptions, validateTrainingOptions, TRAINING_CFGS, type TrainingOptions, type TrainingCfg } from './train/options.js';
export { saveSnapshot, readResumeSource, snapshotName, type ResumeSource } from './train/snapshot.js';
export { StyleGAN2Loss, generatorLoss, discriminatorLoss, r1Penalty, pathLengths, pathLengthPenalty, type Phase } from './train/loss.js';
