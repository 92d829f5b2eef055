// Training snapshots in stylelab's model format: a folder with config.json + weights.safetensors (G, G_ema, D:
// usable at once by generate, video and drag) plus training-state.json (options, counters, ADA state, Adam
// step counts) and optimizer.safetensors (Adam moments). Written to a temporary folder, then renamed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CheckpointError, InputError } from '../errors.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { TensorData } from '../io/tensor.js';
import { type Checkpoint, type TrainingProvenance, writeStylelabModel } from '../models/checkpoint.js';
import { writeFolderAtomic } from '../io/atomic-files.js';
import { loadCheckpoint } from '../models/checkpoint-files.js';
import { AdaController } from './augment.js';
import type { Trainer, TrainerCounters } from './loop.js';
import type { TrainingOptions } from './options.js';

export const TRAINING_STATE_VERSION = 1;

/** training-state.json. */
export interface TrainingStateFile {
  formatVersion: number;
  options: TrainingOptions;
  counters: TrainerCounters;
  ada: ReturnType<AdaController['toJSON']> | null;
  optimizerSteps: { G: Record<string, number>; D: Record<string, number> };
}

/**
 * A snapshot's folder name: network-snapshot-<kimg, 6 digits> as the official .pkl names.
 * @example snapshotName(40_000) // 'network-snapshot-000040'
 */
export function snapshotName(curNimg: number): string {
  return `network-snapshot-${String(Math.floor(curNimg / 1000)).padStart(6, '0')}`;
}

/**
 * Writes the trainer's full state to `dir` atomically (temporary folder, then rename), with how the networks
 * were made (config.json's `training`) when given.
 * @example saveSnapshot(trainer, join(outdir, snapshotName(trainer.counters.curNimg)));
 */
export function saveSnapshot(trainer: Trainer, dir: string, provenance?: TrainingProvenance): void {
  const ckpt = { ...trainer.arch.toCheckpoint(trainer.nets), ...(provenance ? { training: provenance } : {}) };
  const { configJson, weights } = writeStylelabModel(ckpt);
  const g = trainer.optG.state('G.');
  const d = trainer.optD.state('D.');
  const state: TrainingStateFile = {
    formatVersion: TRAINING_STATE_VERSION,
    options: trainer.options,
    counters: { ...trainer.counters },
    ada: trainer.ada?.toJSON() ?? null,
    optimizerSteps: { G: g.steps, D: d.steps },
  };
  const moments = new Map<string, TensorData>([...g.tensors, ...d.tensors]);
  // config.json is written last: a folder that has it is complete.
  writeFolderAtomic(dir, { 'weights.safetensors': weights, 'optimizer.safetensors': writeSafetensors(moments, { format: 'stylelab-optimizer' }), 'training-state.json': JSON.stringify(state, null, 2) + '\n', 'config.json': configJson });
}

/** What a resume source provides: networks always; the rest when it is one of our snapshots. */
export interface ResumeSource {
  path: string;
  checkpoint: Checkpoint;
  state: TrainingStateFile | null;
  optimizer: Map<string, TensorData> | null;
  /** From an official pickle: augment_pipe.p and the kimg of its standard file name. */
  augmentP: number | null;
  curNimg: number | null;
}

/**
 * Reads a resume source: one of our snapshot folders (full state) or an official .pkl (G, D, G_ema and the
 * augmentation p; the image count from its standard name network-snapshot-<kimg>.pkl, which the official loses).
 * @example const src = readResumeSource('runs/00000/network-snapshot-000040');
 */
export function readResumeSource(path: string): ResumeSource {
  if (!existsSync(path)) throw new InputError(`--resume: ${path} not found`);
  const checkpoint = loadCheckpoint(path);
  for (const role of ['G', 'G_ema', 'D'] as const) {
    if (!checkpoint.networks[role]) throw new CheckpointError(`--resume: ${path} has no ${role} network (resuming needs G, G_ema and D; a generator-only export cannot be resumed)`);
  }
  if (statSync(path).isDirectory() || basename(path) === 'config.json') {
    const dir = statSync(path).isDirectory() ? path : dirname(path);
    const statePath = join(dir, 'training-state.json');
    if (!existsSync(statePath)) return { path, checkpoint, state: null, optimizer: null, augmentP: null, curNimg: null };
    let state: TrainingStateFile;
    try {
      state = JSON.parse(readFileSync(statePath, 'utf8')) as TrainingStateFile;
    } catch (e) {
      throw new CheckpointError(`${statePath} is not valid JSON (${(e as Error).message})`);
    }
    if (state.formatVersion !== TRAINING_STATE_VERSION || typeof state.counters?.curNimg !== 'number') throw new CheckpointError(`${statePath} is not a stylelab training state of version ${TRAINING_STATE_VERSION}`);
    const optPath = join(dir, 'optimizer.safetensors');
    const optimizer = existsSync(optPath) ? readSafetensors(readFileSync(optPath)).tensors : null;
    return { path, checkpoint, state, optimizer, augmentP: state.ada?.p ?? null, curNimg: state.counters.curNimg };
  }
  const m = /network-snapshot-(\d+)\.pkl$/.exec(basename(path));
  return { path, checkpoint, state: null, optimizer: null, augmentP: checkpoint.augmentP ?? null, curNimg: m ? Number(m[1]) * 1000 : null };
}

/**
 * Applies a resume source's optimizer, counters and ADA state to a new trainer's init (networks are taken by the caller).
 * @example restoreTrainingState(trainer, src);
 */
export function restoreOptimizers(trainer: Trainer, src: ResumeSource): void {
  if (!src.state || !src.optimizer) return;
  trainer.optG.load('G.', src.optimizer, src.state.optimizerSteps.G);
  trainer.optD.load('D.', src.optimizer, src.state.optimizerSteps.D);
}

/**
 * The ADA controller a resumed run continues with (the saved one, or a fresh one at the pickle's p).
 * @example const ada = resumedAda(options, readResumeSource('network-snapshot-000400.pkl'));
 */
export function resumedAda(o: TrainingOptions, src: ResumeSource): AdaController | null {
  if (o.aug !== 'ada') return null;
  if (src.state?.ada) return AdaController.fromJSON(src.state.ada);
  return new AdaController({ target: o.target, interval: o.adaInterval, kimg: o.adaKimg, batch: o.batch, p: src.augmentP ?? o.augP });
}
