// `stylelab train-ugatit`: UGATIT.py's training (light mode by default) on a folder with trainA/ and trainB/.
import { InputError } from '../errors.js';
import { validateUgatitConfig } from '../nets/ugatit/config.js';
import { describeConfig } from '../models/ugatit-checkpoint.js';
import { createEngine } from '../node.js';
import { DEFAULT_LOSS_WEIGHTS } from '../train/ugatit/graphs.js';
import { trainUgatit } from '../train/ugatit/run.js';
import { DEFAULT_TRAIN_OPTIONS } from '../train/ugatit/trainer.js';
import { checkOutdir, parseIndex, parseNumber } from './options.js';
import { type GlobalOptions, progress, shownDir } from './session.js';

/** The options as commander hands them over (strings, checked here). */
export interface TrainUgatitArgs {
  data: string;
  outdir: string;
  iterations: string;
  batch: string;
  lr: string;
  weightDecay: string;
  decay: boolean;
  advWeight: string;
  cycleWeight: string;
  identityWeight: string;
  camWeight: string;
  ch: string;
  nRes: string;
  imgSize: string;
  full?: boolean;
  snapshotEvery: string;
  sampleEvery: string;
  seed: string;
  resume?: boolean;
}

/** Defaults shown in --help (UGATIT.py's, except light mode and the intervals). */
export const TRAIN_UGATIT_DEFAULTS = {
  iterations: String(DEFAULT_TRAIN_OPTIONS.iterations),
  batch: '1',
  lr: '0.0001',
  weightDecay: '0.0001',
  advWeight: String(DEFAULT_LOSS_WEIGHTS.adv),
  cycleWeight: String(DEFAULT_LOSS_WEIGHTS.cycle),
  identityWeight: String(DEFAULT_LOSS_WEIGHTS.identity),
  camWeight: String(DEFAULT_LOSS_WEIGHTS.cam),
  ch: '64',
  nRes: '4',
  imgSize: '256',
  snapshotEvery: '100000',
  sampleEvery: '1000',
  seed: '0',
};

const positive = (text: string, option: string): number => {
  const v = parseIndex(text, option);
  if (v < 1) throw new InputError(`${option} must be at least 1, got ${v}`);
  return v;
};

/**
 * Trains (or resumes) and returns the summary line.
 * @example await runTrainUgatit({ ...TRAIN_UGATIT_DEFAULTS, data: 'selfie2anime', outdir: 'runs/s2a', decay: true }, {});
 */
export async function runTrainUgatit(a: TrainUgatitArgs, g: GlobalOptions): Promise<string> {
  // Check every option before loading anything.
  const nonNegative = (text: string, option: string) => {
    const v = parseNumber(text, option);
    if (v < 0) throw new InputError(`${option} must be >= 0, got ${v}`);
    return v;
  };
  const lr = parseNumber(a.lr, '--lr');
  if (!(lr > 0)) throw new InputError(`--lr must be positive, got ${lr}`);
  const config = validateUgatitConfig({ ch: positive(a.ch, '--ch'), nRes: parseIndex(a.nRes, '--n-res'), imgSize: positive(a.imgSize, '--img-size'), light: !a.full });
  const run = {
    iterations: positive(a.iterations, '--iterations'),
    batch: positive(a.batch, '--batch'),
    lr,
    weightDecay: nonNegative(a.weightDecay, '--weight-decay'),
    decay: a.decay,
    lossWeights: { adv: nonNegative(a.advWeight, '--adv-weight'), cycle: nonNegative(a.cycleWeight, '--cycle-weight'), identity: nonNegative(a.identityWeight, '--identity-weight'), cam: nonNegative(a.camWeight, '--cam-weight') },
    seed: parseIndex(a.seed, '--seed'),
    data: a.data,
    outdir: a.outdir,
    config,
    snapshotEvery: positive(a.snapshotEvery, '--snapshot-every'),
    sampleEvery: parseIndex(a.sampleEvery, '--sample-every'),
    resume: !!a.resume,
  };
  checkOutdir(a.outdir);
  // Gradient graphs are large: ONNX Runtime compiles them far faster unoptimised, and runs them as fast.
  const engine = createEngine({ threads: g.threads, graphOptimizationLevel: 'disabled' });
  const bar = progress(run.iterations, 'training', { quiet: g.quiet });
  try {
    const r = await trainUgatit(engine, run, () => bar.tick());
    const last = r.losses[r.losses.length - 1];
    const tail = last ? ` (D_loss ${last.D_loss!.toFixed(4)}, G_loss ${last.G_loss!.toFixed(4)})` : '';
    return `trained a ${describeConfig(config)} U-GAT-IT from iteration ${r.startIteration} to ${r.iteration}${tail}; snapshot ${shownDir(r.snapshot)}`;
  } finally {
    bar.stop();
    await engine.dispose();
  }
}
