// A U-GAT-IT training run on disk: fresh or resumed from the latest snapshot, snapshots in stylelab's format
// (config.json + weights.safetensors + optimizer.safetensors, each folder written atomically), sample images,
// and a JSONL log of the losses.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type * as E from '../../engine/index.js';
import { InputError } from '../../errors.js';
import { readSafetensors, writeSafetensors } from '../../io/safetensors.js';
import type { UgatitConfig } from '../../nets/ugatit/config.js';
import { loadUgatitCheckpoint, saveUgatitModel } from '../../models/ugatit-files.js';
import { toOutputImage } from '../../models/ugatit-pipeline.js';
import { writeFileAtomic } from '../../io/atomic-files.js';
import { TwoDomainData } from './data.js';
import { initUgatit } from './init.js';
import { UgatitTrainer, type UgatitTrainOptions } from './trainer.js';

export interface UgatitRunOptions extends UgatitTrainOptions {
  /** Data folder with trainA/ and trainB/ (and optional testA/, testB/). */
  data: string;
  /** Run folder: snapshot-NNNNNNN/, samples/, log.jsonl. */
  outdir: string;
  config: UgatitConfig;
  /** Iterations between snapshots (UGATIT.py --save_freq); one is always written at the end. */
  snapshotEvery: number;
  /** Iterations between sample images (--print_freq); 0 for none. */
  sampleEvery: number;
  /** Continue from the latest snapshot in outdir. */
  resume: boolean;
}

/** Snapshot folder name of an iteration: snapshot-0001000. */
export const snapshotName = (iteration: number): string => `snapshot-${String(iteration).padStart(7, '0')}`;

/**
 * The latest snapshot folder of a run, or null.
 * @example latestSnapshot('runs/s2a') // 'runs/s2a/snapshot-0002000'
 */
export function latestSnapshot(outdir: string): string | null {
  if (!existsSync(outdir)) return null;
  const names = readdirSync(outdir).filter((n) => /^snapshot-\d{7,}$/.test(n) && existsSync(join(outdir, n, 'config.json'))).sort();
  return names.length ? join(outdir, names[names.length - 1]!) : null;
}

/** Writes a snapshot folder: the six networks (with spectral-norm u, v), Adam's moments, iteration and options. */
function saveSnapshot(trainer: UgatitTrainer, run: UgatitRunOptions): string {
  const dir = join(run.outdir, snapshotName(trainer.iteration));
  const opt = trainer.optimizerState();
  const training = { options: trainOptionsOf(run), optimizerSteps: opt.steps };
  saveUgatitModel(trainer.checkpoint(training), dir, undefined, { 'optimizer.safetensors': writeSafetensors(opt.tensors, { format: 'stylelab-optimizer' }) });
  return dir;
}

/** The options a snapshot keeps (what a resumed run must reuse). */
function trainOptionsOf(o: UgatitTrainOptions): UgatitTrainOptions {
  return { iterations: o.iterations, batch: o.batch, lr: o.lr, weightDecay: o.weightDecay, decay: o.decay, lossWeights: o.lossWeights, seed: o.seed };
}

/** A [2 rows x 3] sample grid: real, translated, translated back, for A (top) and B (bottom). */
async function writeSamples(trainer: UgatitTrainer, data: TwoDomainData, path: string): Promise<void> {
  const s = trainer.config.imgSize;
  const tiles: Uint8Array[] = [];
  for (const [from, there, back] of [['A', 'A2B', 'B2A'], ['B', 'B2A', 'A2B']] as const) {
    const real = await data.sample(from);
    const fake = (await trainer.model.translate(there, real, 1)).out.data;
    const cycle = (await trainer.model.translate(back, fake, 1)).out.data;
    tiles.push(...[real, fake, cycle].map((x) => toOutputImage(x, s, s).data));
  }
  const grid = new Uint8Array(2 * s * 3 * s * 3);
  tiles.forEach((t, k) => {
    const [row, col] = [Math.floor(k / 3), k % 3];
    for (let y = 0; y < s; y++) grid.set(t.subarray(y * s * 3, (y + 1) * s * 3), ((row * s + y) * 3 * s + col * s) * 3);
  });
  writeFileAtomic(path, await sharp(Buffer.from(grid.buffer), { raw: { width: 3 * s, height: 2 * s, channels: 3 } }).png().toBuffer());
}

/** Keeps the log lines of iterations up to `iteration` (a resumed run redoes what came after its snapshot). */
function truncateLog(path: string, iteration: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() && (JSON.parse(line) as { iteration: number }).iteration <= iteration)
    .map((line) => `${line}\n`)
    .join('');
}

/** What a finished (or stopped) run reports. */
export interface UgatitRunResult {
  startIteration: number;
  iteration: number;
  snapshot: string;
  losses: Record<string, number>[];
}

/**
 * Trains (or resumes) a run; `onIteration` is called after every iteration (progress bars).
 * @example await trainUgatit(engine, { ...DEFAULT_TRAIN_OPTIONS, data: 'selfie2anime', outdir: 'runs/s2a', config, snapshotEvery: 1000, sampleEvery: 100, resume: false, iterations: 10000 });
 */
export async function trainUgatit(engine: E.Engine, run: UgatitRunOptions, onIteration: (it: number) => void = () => {}): Promise<UgatitRunResult> {
  if (!(Number.isInteger(run.snapshotEvery) && run.snapshotEvery >= 1)) throw new InputError(`snapshot interval must be a positive integer, got ${run.snapshotEvery}`);
  if (!(Number.isInteger(run.sampleEvery) && run.sampleEvery >= 0)) throw new InputError(`sample interval must be a non-negative integer, got ${run.sampleEvery}`);
  const resumeFrom = run.resume ? latestSnapshot(run.outdir) : null;
  if (run.resume && !resumeFrom) throw new InputError(`--resume: ${run.outdir} holds no snapshot to resume from`);
  if (!run.resume && latestSnapshot(run.outdir)) throw new InputError(`${run.outdir} already holds snapshots: pass --resume to continue that run, or choose another --outdir`);

  let options: UgatitTrainOptions = trainOptionsOf(run);
  let ckpt = initUgatit(run.config, run.seed);
  let iteration = 0;
  if (resumeFrom) {
    ckpt = loadUgatitCheckpoint(resumeFrom);
    const t = ckpt.training as { iteration?: number; options?: UgatitTrainOptions } | undefined;
    if (!t || typeof t.iteration !== 'number' || !t.options) throw new InputError(`${resumeFrom} is not a training snapshot (no training state in config.json)`);
    // The run continues with its own options; only a longer --iterations extends it.
    options = { ...t.options, iterations: Math.max(t.options.iterations, run.iterations) };
    iteration = t.iteration;
  }
  const data = new TwoDomainData(run.data, ckpt.config.imgSize, options.seed);
  const trainer = await UgatitTrainer.create(engine, ckpt, options);
  const logPath = join(run.outdir, 'log.jsonl');
  const losses: Record<string, number>[] = [];
  try {
    if (resumeFrom) {
      const opt = readSafetensors(readFileSync(join(resumeFrom, 'optimizer.safetensors')));
      const steps = (ckpt.training as { optimizerSteps: { G: number; D: number } }).optimizerSteps;
      trainer.loadOptimizerState({ steps, tensors: opt.tensors }, iteration);
    }
    mkdirSync(run.outdir, { recursive: true });
    writeFileAtomic(logPath, resumeFrom ? truncateLog(logPath, iteration) : '');
    const start = trainer.iteration;
    const t0 = Date.now();
    let snapshot = resumeFrom ?? '';
    while (trainer.iteration < options.iterations) {
      const it = trainer.iteration + 1;
      const { a, b } = await data.batch(it, options.batch);
      const l = await trainer.step(a, b);
      losses.push(l);
      appendFileSync(logPath, `${JSON.stringify({ iteration: it, seconds: (Date.now() - t0) / 1000, ...l })}\n`);
      if (run.sampleEvery && it % run.sampleEvery === 0) await writeSamples(trainer, data, join(run.outdir, 'samples', `${String(it).padStart(7, '0')}.png`));
      if (it % run.snapshotEvery === 0 || it === options.iterations) snapshot = saveSnapshot(trainer, { ...run, ...options });
      onIteration(it);
    }
    return { startIteration: start, iteration: trainer.iteration, snapshot, losses };
  } finally {
    await trainer.dispose();
  }
}
