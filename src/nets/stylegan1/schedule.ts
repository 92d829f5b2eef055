// The progressive-growing schedule of StyleGAN (v1) (NVlabs/stylegan training/training_loop.py:
// training_schedule): level of detail, resolution, minibatch and learning rates from the image counter.
import { InputError } from '../../errors.js';

export interface ProgressiveScheduleOptions {
  lodInitialResolution: number; // image resolution used at the beginning
  lodTrainingKimg: number; // thousands of real images to show before doubling the resolution
  lodTransitionKimg: number; // thousands of real images to show when fading in new layers
  minibatchBase: number; // minibatch size
  minibatchDict: Record<number, number>; // resolution-specific overrides
  GLrateBase: number; // learning rate of the generator
  GLrateDict: Record<number, number>;
  DLrateBase: number; // learning rate of the discriminator
  DLrateDict: Record<number, number>;
  lrateRampupKimg: number; // duration of the learning-rate ramp-up, 0 = none
  tickKimgBase: number; // interval of progress reports
  tickKimgDict: Record<number, number>;
}

/** The official StyleGAN FFHQ configuration on one GPU (train.py: sgan, 1gpu), the schedule's defaults otherwise. */
export const STYLEGAN1_SCHEDULE: ProgressiveScheduleOptions = {
  lodInitialResolution: 8,
  lodTrainingKimg: 600,
  lodTransitionKimg: 600,
  minibatchBase: 4,
  minibatchDict: { 4: 128, 8: 128, 16: 128, 32: 64, 64: 32, 128: 16, 256: 8, 512: 4 },
  GLrateBase: 0.001,
  GLrateDict: { 128: 0.0015, 256: 0.002, 512: 0.003, 1024: 0.003 },
  DLrateBase: 0.001,
  DLrateDict: { 128: 0.0015, 256: 0.002, 512: 0.003, 1024: 0.003 },
  lrateRampupKimg: 0,
  tickKimgBase: 160,
  tickKimgDict: { 4: 160, 8: 140, 16: 120, 32: 100, 64: 80, 128: 60, 256: 40, 512: 30, 1024: 20 },
};

export interface ProgressiveSchedule {
  kimg: number;
  /** Level of detail: log2(R / resolution shown), fractional while new layers fade in. */
  lod: number;
  /** Resolution the networks are grown to: 2^(log2 R - floor(lod)). */
  resolution: number;
  minibatch: number;
  GLrate: number;
  DLrate: number;
  tickKimg: number;
}

/**
 * training_schedule: phases of lodTrainingKimg (stable) then lodTransitionKimg (fade-in), one per doubling, from
 * lodInitialResolution up to the data set's resolution.
 * @example progressiveSchedule(700_000, 64).lod // 3 - 100/600 at 700 kimg: fading in 16x16
 */
export function progressiveSchedule(curNimg: number, imgResolution: number, o: Partial<ProgressiveScheduleOptions> = {}): ProgressiveSchedule {
  const s = { ...STYLEGAN1_SCHEDULE, ...o };
  const resolutionLog2 = Math.log2(imgResolution);
  if (!Number.isInteger(resolutionLog2) || resolutionLog2 < 2) throw new InputError(`progressive schedule: resolution must be a power of two >= 4, got ${imgResolution}`);
  if (!(curNimg >= 0)) throw new InputError(`progressive schedule: image count must be non-negative, got ${curNimg}`);
  if (!(s.lodTrainingKimg >= 0 && s.lodTransitionKimg >= 0)) throw new InputError('progressive schedule: lod_training_kimg and lod_transition_kimg must be non-negative');
  if (!(s.lodInitialResolution >= 1)) throw new InputError(`progressive schedule: lod_initial_resolution must be at least 1, got ${s.lodInitialResolution}`);
  const kimg = curNimg / 1000;
  // Training phase.
  const phaseDur = s.lodTrainingKimg + s.lodTransitionKimg;
  const phaseIdx = phaseDur > 0 ? Math.floor(kimg / phaseDur) : 0;
  const phaseKimg = kimg - phaseIdx * phaseDur;
  // Level of detail and resolution.
  let lod = resolutionLog2 - Math.floor(Math.log2(s.lodInitialResolution)) - phaseIdx;
  if (s.lodTransitionKimg > 0) lod -= Math.max(phaseKimg - s.lodTrainingKimg, 0) / s.lodTransitionKimg;
  lod = Math.max(lod, 0);
  const resolution = 2 ** (resolutionLog2 - Math.floor(lod));
  // Minibatch size and learning rates.
  const minibatch = s.minibatchDict[resolution] ?? s.minibatchBase;
  let GLrate = s.GLrateDict[resolution] ?? s.GLrateBase;
  let DLrate = s.DLrateDict[resolution] ?? s.DLrateBase;
  if (s.lrateRampupKimg > 0) {
    const rampup = Math.min(kimg / s.lrateRampupKimg, 1);
    GLrate *= rampup;
    DLrate *= rampup;
  }
  return { kimg, lod, resolution, minibatch, GLrate, DLrate, tickKimg: s.tickKimgDict[resolution] ?? s.tickKimgBase };
}

/**
 * reset_opt_for_new_lod of the training loop: Adam's state is reset whenever floor(lod) or ceil(lod) changes,
 * i.e. when a fade-in starts and when it ends.
 * @example lodChanged(2.0, 1.99) // true: new layers appeared
 */
export function lodChanged(prevLod: number, lod: number): boolean {
  return Math.floor(lod) !== Math.floor(prevLod) || Math.ceil(lod) !== Math.ceil(prevLod);
}
