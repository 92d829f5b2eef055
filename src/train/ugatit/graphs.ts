// The two training steps of UGATIT.py as graphs: the discriminator update and the generator update, each
// giving its loss terms and the gradients of its loss with respect to its networks' parameters.
// Spectral norm runs in training mode: every discriminator call uses its own u, v (fed after one power
// iteration in TypeScript, see SpectralFeeds), exactly as each official forward call updates them.
import * as E from '../../engine/index.js';
import { DISCRIMINATOR_NETS, discriminatorConvs, GENERATOR_NETS, netSpecs, type UgatitConfig, type UgatitNet } from '../../nets/ugatit/config.js';
import { type SpectralVectors, ugatitDiscriminator } from '../../nets/ugatit/discriminator.js';
import { resnetGenerator, type UgatitOutputs } from '../../nets/ugatit/generator.js';
import type { Weights } from '../../nets/weights.js';
import { bceWithLogits, l1Loss, mseLoss, total } from './losses.js';

/** Loss weights of UGATIT.py (--adv_weight, --cycle_weight, --identity_weight, --cam_weight). */
export interface LossWeights {
  adv: number;
  cycle: number;
  identity: number;
  cam: number;
}
export const DEFAULT_LOSS_WEIGHTS: LossWeights = { adv: 1, cycle: 10, identity: 10, cam: 1000 };

/** One fed u or v of a discriminator call: which network, layer, call (0, 1, ...) and vector. */
export interface SpectralInput {
  name: string;
  net: UgatitNet;
  layer: string;
  call: number;
  vector: 'u' | 'v';
}

/** A training step's graph: named outputs (losses and `grad:<param>`), the trained parameters in gradient order, the fed u, v. */
export interface StepGraph {
  outputs: Record<string, E.Tensor>;
  params: E.Parameter[];
  spectral: SpectralInput[];
  /** Calls per discriminator in this step. */
  calls: Partial<Record<UgatitNet, number>>;
}

/** The spectral-normed layers of a discriminator. */
export function spectralLayers(cfg: UgatitConfig, net: UgatitNet): string[] {
  const n = net.startsWith('disG') ? cfg.globalLayers : cfg.localLayers;
  return [...discriminatorConvs(cfg.ch, n).map((c) => `model.${c.index}`), 'gap_fc', 'gmp_fc', 'conv'];
}

/** The trained parameters (not the u, v buffers) of some networks. */
export function trainedParameters(weights: Weights, cfg: UgatitConfig, nets: readonly UgatitNet[]): E.Parameter[] {
  return nets.flatMap((net) => netSpecs(cfg, net).filter((s) => !s.buffer).map((s) => weights.parameter(`${net}.${s.name}`, s.shape)));
}

/** Builds the networks of one step, counting discriminator calls and declaring their u, v inputs. */
class StepBuilder {
  readonly spectral: SpectralInput[] = [];
  readonly calls: Partial<Record<UgatitNet, number>> = {};
  constructor(
    readonly weights: Weights,
    readonly cfg: UgatitConfig,
  ) {}

  gen(net: UgatitNet, x: E.Tensor): UgatitOutputs {
    return resnetGenerator(this.weights.scope(net), this.cfg, x);
  }

  dis(net: UgatitNet, x: E.Tensor): UgatitOutputs {
    const call = this.calls[net] ?? 0;
    this.calls[net] = call + 1;
    const P = this.weights.scope(net);
    const vectors: SpectralVectors = (layer) => {
      const vec = (vector: 'u' | 'v') => {
        const name = `sn:${net}.${layer}.${vector}${call}`;
        this.spectral.push({ name, net, layer, call, vector });
        return E.input(name, P.shape(`${layer}.weight_${vector}`)!);
      };
      return { u: vec('u'), v: vec('v') };
    };
    const n = net.startsWith('disG') ? this.cfg.globalLayers : this.cfg.localLayers;
    return ugatitDiscriminator(P, this.cfg.ch, n, x, vectors);
  }

  finish(losses: Record<string, E.Tensor>, loss: E.Tensor, params: E.Parameter[]): StepGraph {
    const grads = E.grad(loss, params.map((p) => p.tensor));
    const outputs: Record<string, E.Tensor> = { ...losses };
    params.forEach((p, k) => (outputs[`grad:${p.name}`] = grads[k]!));
    return { outputs, params, spectral: this.spectral, calls: this.calls };
  }
}

/**
 * The discriminator update: LSGAN losses of all four discriminators (outputs and CAM logits) on real images
 * and on the generators' translations (detached), weighted by adv.
 * @example const g = discriminatorStep(weights, cfg, 1, DEFAULT_LOSS_WEIGHTS);
 */
export function discriminatorStep(weights: Weights, cfg: UgatitConfig, batch: number, w: LossWeights): StepGraph {
  const b = new StepBuilder(weights, cfg);
  const s = cfg.imgSize;
  const realA = E.input('realA', [batch, 3, s, s]);
  const realB = E.input('realB', [batch, 3, s, s]);
  const fakeA2B = E.detach(b.gen('genA2B', realA).out);
  const fakeB2A = E.detach(b.gen('genB2A', realB).out);
  const terms: E.Tensor[] = [];
  // Real images first, then fakes, as UGATIT.py calls each discriminator.
  const pairs: [UgatitNet, E.Tensor, E.Tensor][] = [['disGA', realA, fakeB2A], ['disLA', realA, fakeB2A], ['disGB', realB, fakeA2B], ['disLB', realB, fakeA2B]];
  const real = pairs.map(([net, r]) => b.dis(net, r));
  const fake = pairs.map(([net, , f]) => b.dis(net, f));
  pairs.forEach((_, i) => {
    terms.push(mseLoss(real[i]!.out, 1), mseLoss(fake[i]!.out, 0), mseLoss(real[i]!.camLogit, 1), mseLoss(fake[i]!.camLogit, 0));
  });
  const loss = E.mul(total(terms), w.adv);
  return b.finish({ D_loss: loss }, loss, trainedParameters(weights, cfg, DISCRIMINATOR_NETS));
}

/**
 * The generator update: adversarial (LSGAN, outputs and CAM logits), cycle and identity (L1) and CAM (BCE)
 * losses of both directions, weighted as UGATIT.py weights them.
 * @example const g = generatorStep(weights, cfg, 1, DEFAULT_LOSS_WEIGHTS);
 */
export function generatorStep(weights: Weights, cfg: UgatitConfig, batch: number, w: LossWeights): StepGraph {
  const b = new StepBuilder(weights, cfg);
  const s = cfg.imgSize;
  const realA = E.input('realA', [batch, 3, s, s]);
  const realB = E.input('realB', [batch, 3, s, s]);
  const a2b = b.gen('genA2B', realA);
  const b2a = b.gen('genB2A', realB);
  const a2b2a = b.gen('genB2A', a2b.out);
  const b2a2b = b.gen('genA2B', b2a.out);
  const a2a = b.gen('genB2A', realA);
  const b2b = b.gen('genA2B', realB);
  const adv = (net: UgatitNet, x: E.Tensor) => {
    const d = b.dis(net, x);
    return E.add(mseLoss(d.out, 1), mseLoss(d.camLogit, 1));
  };
  const advA = total([adv('disGA', b2a.out), adv('disLA', b2a.out)]);
  const advB = total([adv('disGB', a2b.out), adv('disLB', a2b.out)]);
  const cycle = E.add(l1Loss(a2b2a.out, realA), l1Loss(b2a2b.out, realB));
  const identity = E.add(l1Loss(a2a.out, realA), l1Loss(b2b.out, realB));
  // The generator's CAM logit says "from the other domain" (1) for inputs it translates and 0 for its own domain.
  const cam = total([bceWithLogits(b2a.camLogit, 1), bceWithLogits(a2a.camLogit, 0), bceWithLogits(a2b.camLogit, 1), bceWithLogits(b2b.camLogit, 0)]);
  const advTotal = E.add(advA, advB);
  const loss = total([E.mul(advTotal, w.adv), E.mul(cycle, w.cycle), E.mul(identity, w.identity), E.mul(cam, w.cam)]);
  const losses = { G_loss: loss, G_adv: advTotal, G_cycle: cycle, G_identity: identity, G_cam: cam };
  return b.finish(losses, loss, trainedParameters(weights, cfg, GENERATOR_NETS));
}
