// TensorFlow-era network pickles as checkpoints: NVIDIA's (G, D, Gs) tuple (Gs becomes G_ema), each network
// recognised by its build function's name and converted to stylelab's layout; configurations stylelab cannot
// run (StyleGAN2 configs B-D, ProGAN) are named and refused.
import { CheckpointError } from '../errors.js';
import type { SniffedFile } from '../io/sniff.js';
import { readTfPickle, type TfNetwork } from '../io/tf-pickle.js';
import type { Checkpoint, NetworkEntry, NetworkRole } from './checkpoint.js';
import { convertTfStyleGAN1Discriminator, convertTfStyleGAN1Generator } from './tf-stylegan1.js';
import { convertTfDiscriminator, convertTfGenerator } from './tf-stylegan2.js';

/** What a TF build function is, from the last part of its name ('training.networks_stylegan2.G_main' -> 'G_main'). */
type TfKind = 'stylegan2-G' | 'stylegan2-D' | 'stylegan1-G' | 'stylegan1-D';

const PROGAN = 'a ProGAN network (progressive_growing_of_gans: G_paper / D_paper), which stylelab does not support';
const CONFIG_BD = 'a StyleGAN2 config B-D network (G_synthesis_stylegan_revised / D_stylegan: the progressive-growing baselines of the StyleGAN2 paper), which stylelab does not support; configs E and F (G_main, D_stylegan2) are supported';

/** Sentence shown with every StyleGAN (v1) TF checkpoint (by `info` and in the docs). */
export const STYLEGAN1_TF_NOTE = 'StyleGAN (v1) TensorFlow networks are read by name and shape from the official source; their outputs are not verified against TensorFlow (no reference run was available)';

function kindOf(net: TfNetwork, role: string): TfKind {
  if (net.module === 'tfutil') throw new CheckpointError(`the ${role} network is ${PROGAN}`);
  const fn = net.buildFuncName.split('.').pop() ?? '';
  switch (fn) {
    case 'G_main': {
      const synthesis = net.components.get('synthesis')?.buildFuncName ?? '';
      if (synthesis.endsWith('G_synthesis_stylegan_revised') || net.staticKwargs['synthesis_func'] === 'G_synthesis_stylegan_revised') throw new CheckpointError(`the ${role} network is ${CONFIG_BD}`);
      return 'stylegan2-G';
    }
    case 'D_stylegan2': case 'D_main': return 'stylegan2-D';
    case 'D_stylegan': throw new CheckpointError(`the ${role} network is ${CONFIG_BD}`);
    case 'G_style': return 'stylegan1-G';
    case 'D_basic': return 'stylegan1-D';
    case 'G_paper': case 'D_paper': throw new CheckpointError(`the ${role} network is ${PROGAN}`);
    default:
      throw new CheckpointError(`the ${role} network is built by '${net.buildFuncName}', which stylelab does not know (it reads G_main / D_stylegan2 / D_main of StyleGAN2 and StyleGAN2-ADA, and G_style / D_basic of StyleGAN)`);
  }
}

/**
 * Reads a TensorFlow-era StyleGAN2 / StyleGAN2-ADA / StyleGAN pickle: G, D and Gs (as G_ema), or a lone Gs.
 * @example const ckpt = readTfCheckpoint(sniffFile(bytes)); ckpt.networks.G_ema!.arch // 'stylegan2'
 */
export function readTfCheckpoint(file: SniffedFile): Checkpoint {
  const snap = readTfPickle(file);
  const slots: [NetworkRole, TfNetwork | undefined, 'G' | 'D'][] = [['G', snap.G, 'G'], ['D', snap.D, 'D'], ['G_ema', snap.Gs, 'G']];
  const networks: Checkpoint['networks'] = {};
  const notes = new Set<string>();
  const archs = new Set<string>();
  for (const [role, net, want] of slots) {
    if (!net) continue;
    const what = role === 'G_ema' ? (snap.G ? 'Gs (G_ema)' : 'pickled') : role;
    const kind = kindOf(net, what);
    if (!kind.endsWith(`-${want}`) && !snap.G) throw new CheckpointError(`the pickle holds one network, a discriminator (${net.buildFuncName}); stylelab needs a generator (Gs) or NVIDIA's (G, D, Gs) tuple`);
    if (!kind.endsWith(`-${want}`)) throw new CheckpointError(`the ${what} network is a ${want === 'G' ? 'discriminator' : 'generator'} (${net.buildFuncName}), not a ${want === 'G' ? 'generator' : 'discriminator'}: the pickle's networks are not in the order (G, D, Gs)`);
    let entry: NetworkEntry;
    if (kind.startsWith('stylegan2')) entry = kind === 'stylegan2-G' ? convertTfGenerator(net, what) : convertTfDiscriminator(net, what);
    else {
      const r = kind === 'stylegan1-G' ? convertTfStyleGAN1Generator(net, what) : convertTfStyleGAN1Discriminator(net, what);
      entry = r.entry;
      notes.add(STYLEGAN1_TF_NOTE);
      if (net.version >= 4) notes.add('built by the StyleGAN2 repository as config A (its copy of the original StyleGAN networks)');
      if (r.ignoredKwargs.length > 0) notes.add(`${what}: static_kwargs ignored as the TensorFlow code ignores them: ${r.ignoredKwargs.join(', ')}`);
      if (r.unusedVariables.length > 0) notes.add(`${what}: TensorFlow variables not used: ${r.unusedVariables.join(', ')}`);
      if (role === 'G_ema' && r.entry.kind === 'generator' && r.entry.arch === 'stylegan1') {
        const cutoff = r.entry.config.truncationCutoff;
        notes.add(`the pickle's G_style truncates with psi ${r.truncationPsi ?? 'None'} on the first ${cutoff ?? 'all'} ws; stylelab keeps the cutoff and takes psi from --trunc`);
      }
    }
    archs.add(entry.arch);
    networks[role] = entry;
  }
  if (archs.size > 1) throw new CheckpointError(`the pickle mixes StyleGAN and StyleGAN2 TensorFlow networks (${[...archs].join(', ')})`);
  const arch = networks.G_ema?.kind === 'generator' ? networks.G_ema.arch : 'stylegan2';
  return { arch, format: 'nvidia-tf-pkl', networks, ...(notes.size > 0 ? { notes: [...notes] } : {}) };
}
