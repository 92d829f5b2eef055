// The training architectures by --cfg.
import { InputError } from '../../errors.js';
import type { TrainingCfg } from '../options.js';
import type { TrainingArch } from './arch.js';
import { STYLEGAN1_ARCH } from './stylegan1.js';
import { STYLEGAN2_ARCH } from './stylegan2.js';
import { stylegan3Arch } from './stylegan3.js';

/**
 * The architecture of a --cfg (others register theirs here as they land).
 * @example const arch = trainingArch('stylegan2');
 */
export function trainingArch(cfg: TrainingCfg): TrainingArch {
  const arch = ARCHS[cfg];
  if (!arch) throw new InputError(`--cfg ${cfg} is not available in this build of stylelab (available: ${Object.keys(ARCHS).join(', ')})`);
  return arch;
}

const ARCHS: Partial<Record<TrainingCfg, TrainingArch>> = { stylegan2: STYLEGAN2_ARCH, 'stylegan3-t': stylegan3Arch('stylegan3-t'), 'stylegan3-r': stylegan3Arch('stylegan3-r'), stylegan1: STYLEGAN1_ARCH };
