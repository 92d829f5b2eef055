// The projector's options and per-step schedule (stylegan2-ada-pytorch projector.py, project()): the learning
// rate's cosine ramp-down and linear ramp-up, and the scale of the noise added to w, which decays to zero.
import { InputError } from '../errors.js';

export interface ProjectOptions {
  /** Optimisation steps (num_steps). */
  numSteps: number;
  /** Mapped samples for w_avg and w_std (w_avg_samples). */
  wAvgSamples: number;
  /** Seed of numpy's RandomState for the w_avg samples (the official 123). */
  wAvgSeed: number;
  initialLearningRate: number;
  /** Noise added to w at the start, as a fraction of w_std. */
  initialNoiseFactor: number;
  /** Fraction of the run over which the learning rate ramps down (cosine). */
  lrRampdownLength: number;
  /** Fraction of the run over which the learning rate ramps up (linear). */
  lrRampupLength: number;
  /** Fraction of the run over which the w noise decays (quadratically) to zero. */
  noiseRampLength: number;
  /** Weight of the noise regularisation (StyleGAN2 noise buffers). */
  regularizeNoiseWeight: number;
  /** Seed of the initial noise buffers and the per-step w noise (the CLI's --seed, 303 as projector.py). */
  seed: number;
  /** Optimise one w per layer (W+, as common forks do) instead of one w repeated (W, the official projector). */
  wPlus: boolean;
}

/** projector.py's defaults (and its CLI's seed 303). */
export const DEFAULT_PROJECT_OPTIONS: Readonly<ProjectOptions> = Object.freeze({
  numSteps: 1000,
  wAvgSamples: 10000,
  wAvgSeed: 123,
  initialLearningRate: 0.1,
  initialNoiseFactor: 0.05,
  lrRampdownLength: 0.25,
  lrRampupLength: 0.05,
  noiseRampLength: 0.75,
  regularizeNoiseWeight: 1e5,
  seed: 303,
  wPlus: false,
});

/**
 * Fills defaults and rejects bad values with one clear message.
 * @example const o = validateProjectOptions({ numSteps: 500 });
 */
export function validateProjectOptions(o: Partial<ProjectOptions> = {}): ProjectOptions {
  const v: ProjectOptions = { ...DEFAULT_PROJECT_OPTIONS, ...o };
  const int = (k: keyof ProjectOptions, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const x = v[k] as number;
    if (!Number.isInteger(x) || x < min || x > max) throw new InputError(`projection: ${k} must be an integer between ${min} and ${max}, got ${x}`);
  };
  const positive = (k: keyof ProjectOptions, allowZero: boolean) => {
    const x = v[k] as number;
    if (!Number.isFinite(x) || x < 0 || (!allowZero && x === 0)) throw new InputError(`projection: ${k} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${x}`);
  };
  int('numSteps', 1);
  int('wAvgSamples', 1);
  int('wAvgSeed', 0, 0xffffffff);
  int('seed', 0, 0xffffffff);
  positive('initialLearningRate', false);
  positive('initialNoiseFactor', true);
  positive('lrRampdownLength', false);
  positive('lrRampupLength', false);
  positive('noiseRampLength', false);
  positive('regularizeNoiseWeight', true);
  if (typeof v.wPlus !== 'boolean') throw new InputError(`projection: wPlus must be true or false, got ${String(v.wPlus)}`);
  return v;
}

/** What step `step` (0-based) of a run uses. */
export interface StepSchedule {
  /** Adam's learning rate. */
  lr: number;
  /** Standard deviation of the Gaussian noise added to w. */
  wNoiseScale: number;
}

/**
 * The schedule of projector.py at step `step` of `numSteps`: t = step / numSteps,
 * w_noise_scale = w_std * initial_noise_factor * max(0, 1 - t / noise_ramp_length)^2,
 * lr = initial_lr * (0.5 - 0.5 cos(pi * min(1, (1 - t) / rampdown))) * min(1, t / rampup).
 * @example stepSchedule(0, 1000, 1.5, DEFAULT_PROJECT_OPTIONS) // { lr: 0, wNoiseScale: 0.075 }
 */
export function stepSchedule(step: number, numSteps: number, wStd: number, o: Pick<ProjectOptions, 'initialLearningRate' | 'initialNoiseFactor' | 'lrRampdownLength' | 'lrRampupLength' | 'noiseRampLength'>): StepSchedule {
  const t = step / numSteps;
  const wNoiseScale = wStd * o.initialNoiseFactor * Math.max(0, 1 - t / o.noiseRampLength) ** 2;
  let lrRamp = Math.min(1, (1 - t) / o.lrRampdownLength);
  lrRamp = 0.5 - 0.5 * Math.cos(lrRamp * Math.PI);
  lrRamp *= Math.min(1, t / o.lrRampupLength);
  return { lr: o.initialLearningRate * lrRamp, wNoiseScale };
}
