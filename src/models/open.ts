// Binds a checkpoint's networks to an engine.
import { CheckpointError } from '../errors.js';
import type { Engine } from '../engine/runtime.js';
import { Weights } from '../nets/weights.js';
import { type Checkpoint, defaultGeneratorRole, type NetworkRole } from './checkpoint.js';
import type { Generator } from './generator.js';
import { StyleGAN2Discriminator, StyleGAN2Generator } from './stylegan2.js';
import { StyleGAN3Generator } from './stylegan3.js';
import { StyleGAN1Discriminator, StyleGAN1Generator } from './stylegan1.js';

/** The generator classes a checkpoint can open as (each implements the Generator interface). */
export type OpenedGenerator = StyleGAN2Generator | StyleGAN3Generator | StyleGAN1Generator;
/** The discriminator classes a checkpoint can open as. */
export type OpenedDiscriminator = StyleGAN2Discriminator | StyleGAN1Discriminator;

/**
 * The generator of a checkpoint (G_ema unless another role is named), ready to run on `engine`: a
 * StyleGAN2Generator, StyleGAN3Generator or StyleGAN1Generator as its architecture says (check `G.arch`, or `instanceof`).
 * @example const G = openGenerator(engine, readCheckpointBytes(bytes)); ... await G.dispose();
 */
export function openGenerator(engine: Engine, ckpt: Checkpoint, role?: NetworkRole): OpenedGenerator {
  const r = role ?? defaultGeneratorRole(ckpt);
  const net = ckpt.networks[r];
  if (!net || net.kind !== 'generator') throw new CheckpointError(`the checkpoint has no generator '${r}'`);
  const weights = new Weights(net.tensors, `${r} generator`);
  if (net.arch === 'stylegan3') return new StyleGAN3Generator(engine, net.config, weights);
  if (net.arch === 'stylegan1') return new StyleGAN1Generator(engine, net.config, weights);
  return new StyleGAN2Generator(engine, net.config, weights);
}

/**
 * Type guard for code that needs one architecture.
 * @example if (isStyleGAN3(G)) await G.synthesis(ws, { transform });
 */
export function isStyleGAN3(G: Generator): G is StyleGAN3Generator {
  return G instanceof StyleGAN3Generator;
}

/**
 * The discriminator of a checkpoint, ready to run on `engine`.
 * @example const D = openDiscriminator(engine, ckpt); const logits = await D.logits(img, null);
 */
export function openDiscriminator(engine: Engine, ckpt: Checkpoint): OpenedDiscriminator {
  const net = ckpt.networks.D;
  if (!net || net.kind !== 'discriminator') throw new CheckpointError('the checkpoint has no discriminator (D)');
  if (net.arch === 'stylegan1') return new StyleGAN1Discriminator(engine, net.config, new Weights(net.tensors, 'D discriminator'));
  return new StyleGAN2Discriminator(engine, net.config, new Weights(net.tensors, 'D discriminator'));
}
