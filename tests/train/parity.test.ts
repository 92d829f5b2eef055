// Parity with ../shared/fixtures/stylegan2-train-step: the official StyleGAN2Loss (NVlabs stylegan3 training/loss.py)
// losses and every parameter gradient of one Gmain, Greg, Dmain and Dreg step of stylegan2-tiny (G and D).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { createEngine, loadCheckpoint, readNpy, readNpz, toFloat32 } from '../../src/node.js';
import { StyleGAN2Loss, type Phase } from '../../src/train/loss.js';
import { StyleGAN2TrainableDiscriminator, StyleGAN2TrainableGenerator } from '../../src/train/stylegan/stylegan2.js';
import type { DiscriminatorConfig, GeneratorConfig } from '../../src/nets/stylegan2/config.js';
import { fixture } from '../fixtures.js';

const dir = 'stylegan2-train-step';
const ref = JSON.parse(readFileSync(fixture(dir, 'reference.json'), 'utf8'));
const npy = (file: string) => toFloat32(readNpy(readFileSync(fixture(dir, file))));

/** Within 1e-3 absolute or 1e-3 relative to the largest magnitude of the reference tensor (large gradients). */
function assertGradClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: size`);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  const tol = Math.max(1e-3, 1e-3 * scale);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `${what}[${i}]: ${actual[i]} vs official ${expected[i]} (tol ${tol})`);
  }
}

describe('StyleGAN2Loss: one official step of each phase', () => {
  const engine = createEngine({ threads: 2 });
  after(() => engine.dispose());
  const ckpt = loadCheckpoint(fixture('stylegan2-tiny', 'network.pkl'));
  const G = new StyleGAN2TrainableGenerator(ckpt.networks.G!.config as GeneratorConfig, ckpt.networks.G!.tensors);
  const D = new StyleGAN2TrainableDiscriminator(ckpt.networks.D!.config as DiscriminatorConfig, ckpt.networks.D!.tensors);
  const z = npy('z.npy');
  const real = npy('real.npy');
  const batch = real.length / (G.imgChannels * G.imgResolution ** 2);
  const h = ref.hyper;
  const loss = new StyleGAN2Loss(G, D, { batch, r1Gamma: h.r1_gamma, plWeight: h.pl_weight, plDecay: h.pl_decay, plBatchShrink: h.pl_batch_shrink, styleMixing: false, noiseMode: 'const' });

  const runPhase = async (phase: Phase) => {
    const p = ref.phases[phase];
    const graph = loss.phase(phase, p.gain);
    const prog = await engine.compile(graph.outputs, 'inputs');
    try {
      const b = phase === 'Greg' ? batch / h.pl_batch_shrink : batch;
      const feeds: Record<string, Float32Array> = {};
      for (const info of prog.inputs) {
        if (info.name === 'z') feeds.z = z.subarray(0, b * G.zDim);
        else if (info.name === 'real') feeds.real = real;
        else if (info.name === 'pl_noise') feeds.pl_noise = npy('pl_noise.npy');
        else if (info.name === 'pl_mean') feeds.pl_mean = Float32Array.of(h.pl_mean_before);
        else assert.fail(`unexpected input ${info.name}`);
      }
      const out = await prog.run(feeds);
      const grads = readNpz(readFileSync(fixture(dir, `grads_${phase}.npz`)));
      // torch also returns (zero) gradients for biases that reach the loss only through lrelu's derivative mask.
      const official = (q: { name: string }) => q.name.replace(/^D\./, ''); // D's graph names carry a 'D.' prefix
      const ours = new Set(graph.params.map(official));
      for (const q of ours) assert.ok(grads.has(q), `${phase}: ${q} has a gradient here but not in the official step`);
      for (const [name, g] of grads) if (!ours.has(name)) assert.ok(toFloat32(g).every((v) => v === 0), `${phase}: official gradient of ${name} is missing here`);
      for (const q of graph.params) assertGradClose(out[`grad:${q.name}`]!.data, toFloat32(grads.get(official(q))!), `${phase} grad ${q.name}`);
      return out;
    } finally {
      await prog.dispose();
    }
  };

  test('Gmain: softplus(-D(G(z))) and its G gradients', async () => {
    const out = await runPhase('Gmain');
    assert.ok(Math.abs(out.loss!.data[0]! - ref.phases.Gmain.loss_mean) < 1e-4);
    assertGradClose(out.fake_logits!.data, Float32Array.from(ref.phases.Gmain.logits), 'logits');
  });
  test('Greg: path lengths, running mean and penalty gradients', async () => {
    const out = await runPhase('Greg');
    assertGradClose(out.pl_lengths!.data, Float32Array.from(ref.phases.Greg.pl_lengths), 'pl_lengths');
    assert.ok(Math.abs(out.pl_mean_after!.data[0]! - ref.phases.Greg.pl_mean_after) < 1e-5);
    assert.ok(Math.abs(out.loss!.data[0]! - ref.phases.Greg.loss_mean) < 1e-3);
  });
  test('Dmain: softplus(D(G(z))) + softplus(-D(x)) and its D gradients', async () => {
    const out = await runPhase('Dmain');
    assert.ok(Math.abs(out.loss!.data[0]! - ref.phases.Dmain.loss) < 1e-4);
  });
  test('Dreg: R1 penalty and its D gradients', async () => {
    const out = await runPhase('Dreg');
    assertGradClose(out.r1_penalty!.data, Float32Array.from(ref.phases.Dreg.r1_penalty), 'r1_penalty');
    assert.ok(Math.abs(out.loss!.data[0]! - ref.phases.Dreg.loss_mean) < 1e-5);
  });
});
