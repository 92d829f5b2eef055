// `stylelab convert`: an NVIDIA pickle (or a stylelab folder) to stylelab's own format, a folder with
// config.json and weights.safetensors, written to a temporary folder and renamed into place. U-GAT-IT
// checkpoints go to stylelab's U-GAT-IT format (ugatit-info.ts).
import { CheckpointError } from '../errors.js';
import { type NetworkRole, NETWORK_ROLES } from '../models/checkpoint.js';
import { loadUgatitCheckpointIfAny } from '../models/ugatit-files.js';
import { loadCheckpoint, saveStylelabModel } from '../node.js';
import { checkOutdir, parseRoles } from './options.js';
import { shownDir } from './session.js';
import { convertUgatit } from './ugatit-info.js';

export interface ConvertArgs {
  input: string;
  outdir: string;
  networks?: string;
}

/**
 * Converts a checkpoint and returns the summary line.
 * @example runConvert({ input: 'network.pkl', outdir: 'models/ffhq', networks: 'G_ema' });
 */
export function runConvert(a: ConvertArgs): string {
  const ugatit = loadUgatitCheckpointIfAny(a.input);
  if (ugatit) {
    checkOutdir(a.outdir, 'the output folder');
    return convertUgatit(ugatit, a.outdir, a.networks);
  }
  const wanted = a.networks === undefined ? undefined : parseRoles(a.networks);
  checkOutdir(a.outdir, 'the output folder');
  const ckpt = loadCheckpoint(a.input);
  const present = NETWORK_ROLES.filter((r) => ckpt.networks[r]);
  const missing = (wanted ?? []).filter((r) => !ckpt.networks[r]);
  if (missing.length > 0) throw new CheckpointError(`the checkpoint has no network ${missing.join(', ')} (it has ${present.join(', ') || 'none'})`);
  const roles: NetworkRole[] = wanted ?? present;
  saveStylelabModel(ckpt, a.outdir, roles);
  return `wrote ${roles.join(', ')} to ${shownDir(a.outdir)} (config.json + weights.safetensors)`;
}
