// StyleGAN (v1) training pieces: process_reals, the grown trainable networks behind the full-resolution
// interface (images, scores and R1 as the official linear structure gives them), the progressive state
// (growth, Adam resets, the saved lod) and checkpoints of the trainables.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { r1Penalty } from '../../src/train/loss.js';
import { createStyleGAN1Networks, processReals, ProgressiveGrowing, styleGAN1Checkpoint, styleGAN1NetworksFromCheckpoint } from '../../src/train/stylegan/stylegan1.js';
import { discriminator1 } from '../../src/nets/stylegan1/discriminator.js';
import { synthesisNetwork1 } from '../../src/nets/stylegan1/synthesis.js';
import { assertClose, makeEngine } from '../engine/harness.js';
import { randomData, run, upscaleNearest } from '../nets/stylegan1-helpers.js';

const engine = makeEngine();
after(() => engine.dispose());

const shape = { resolution: 16, channels: 3, labelDim: 0, zDim: 8, wDim: 8, cbase: 128, cmax: 32, mapDepth: 2, mbstdGroup: 2, styleMixingProb: 0.9 };
const u8 = (v: number) => v / 127.5 - 1;

test('process_reals: lod 0 keeps the image; the level is 2x2 means rounded to uint8 (half to even); FadeLOD lerps towards 2x2 means', () => {
  const x = Float32Array.from({ length: 16 }, (_, i) => u8((i * 37) % 256)); // [1, 1, 4, 4]
  assertClose(processReals(x, 1, 1, 4, 0), x, 1e-7, 0, 'lod 0');
  // lod 1: 2x2 means of 0, 37, 148, 185 = 92.5 -> 92 (half to even); then nearest upscaling.
  const l1 = processReals(x, 1, 1, 4, 1);
  assert.ok(Math.abs(l1[0]! - u8(92)) < 1e-6 && l1[0] === l1[1] && l1[0] === l1[4] && l1[0] === l1[5]);
  // lod 0.25: lerp(x, mean of its 2x2 block, 0.25).
  const f = processReals(x, 1, 1, 4, 0.25);
  const mean = (x[0]! + x[1]! + x[4]! + x[5]!) / 4;
  assert.ok(Math.abs(f[0]! - (x[0]! + (mean - x[0]!) * 0.25)) < 1e-6);
  // lod 2 at 4x4: one value, the mean of the rounded 2x2 means.
  const l2 = processReals(x, 1, 1, 4, 2);
  assert.ok(l2.every((v) => v === l2[0]));
});

test('trainable G and D grown to 8x8: full-resolution images and scores equal the official linear structure; R1 is 1/4^k of the grown one', async () => {
  const nets = createStyleGAN1Networks(shape, 0);
  assert.equal(nets.growth.resolution, 8); // lod_initial_resolution 8
  for (const p of [...nets.G.parameters(), ...nets.D.parameters()]) p.data = randomData(p.data.length, p.data.length); // exercise every path
  nets.G.weights.parameter('synthesis.lod').data[0] = 1.25; // the level of detail is G's buffer (baked into these test programs)
  const lod = nets.growth.lod!;
  const ws = E.input('ws', [2, nets.G.numWs, 8]);
  const wsData = randomData(2 * nets.G.numWs * 8, 1);
  const img = nets.G.synthesis(ws, 'const');
  assert.deepEqual(img.shape, [2, 3, 16, 16]);
  const linear = synthesisNetwork1(nets.G.config, nets.G.weights.scope('synthesis'), ws, { noiseMode: 'const', linear: true, lod });
  const g = await run(engine, { img, linear }, { ws: wsData });
  assertClose(g.img!, g.linear!, 1e-6, 1e-5, 'G');
  // D on an upscaled 8x8 image: the grown network on the 8x8 image, and the linear structure at 16x16.
  const x8 = randomData(2 * 3 * 64, 2);
  const big = E.input('big', [2, 3, 16, 16]);
  const small = E.input('small', [2, 3, 8, 8]);
  const scores = nets.D.forward(big, null);
  const dLinear = discriminator1(nets.D.config, nets.D.weights.scope(''), big, null, { lod, linear: true });
  const grownSmall = discriminator1(nets.D.config, nets.D.weights.scope(''), small, null, { lod });
  const d = await run(engine, { scores, dLinear, grownSmall, r1: r1Penalty(scores, big), r1Small: r1Penalty(grownSmall, small) }, { big: upscaleNearest(x8, 2, 3, 8, 2), small: x8 });
  assertClose(d.scores!, d.dLinear!, 1e-5, 1e-4, 'D vs linear');
  assertClose(d.scores!, d.grownSmall!, 1e-5, 1e-4, 'D vs grown on the small image');
  assertClose(d.r1!, d.r1Small!.map((v) => v / 4), 1e-6, 1e-4, 'R1 w.r.t. full-resolution images');
});

test('progressive state: growth follows the schedule, Adam resets when a fade-in starts and ends, the lod is saved with G', () => {
  const nets = createStyleGAN1Networks(shape, 0, { lodTrainingKimg: 0.1, lodTransitionKimg: 0.1 });
  const p = new ProgressiveGrowing(nets.growth, [nets.G, nets.G_ema], { lodTrainingKimg: 0.1, lodTransitionKimg: 0.1 });
  const steps = [0, 50, 100, 150, 200, 250, 400].map((n) => ({ n, ...p.advance(n) }));
  assert.deepEqual(steps.map((s) => [Math.round(s.lod * 1e9) / 1e9, s.resolution, s.resetOptimizers]), [[1, 8, true], [1, 8, false], [1, 8, false], [0.5, 16, true], [0, 16, true], [0, 16, false], [0, 16, false]]);
  assert.equal(nets.growth.resolution, 16);
  assert.equal(p.curLayers(1.5), 4);
  p.advance(150);
  assert.ok(Math.abs(nets.G.weights.parameter('synthesis.lod').data[0]! - 0.5) < 1e-6);
  assert.ok(Math.abs(nets.G_ema.weights.parameter('synthesis.lod').data[0]! - 0.5) < 1e-6);
  assert.equal(p.graphKey, 'res16');
});

test('checkpoints of the trainables: round trip, grown to the schedule at the resumed image count; wrong architecture named', () => {
  const nets = createStyleGAN1Networks(shape, 3);
  const ckpt = styleGAN1Checkpoint(nets);
  assert.equal(ckpt.arch, 'stylegan1');
  const back = styleGAN1NetworksFromCheckpoint(ckpt, 2_000_000);
  assert.equal(back.growth.resolution, 16);
  for (const [name, t] of nets.D.tensors()) assert.deepEqual(back.D.tensors().get(name)!.data, t.data, name);
  assert.throws(() => styleGAN1NetworksFromCheckpoint({ ...ckpt, networks: { ...ckpt.networks, D: undefined } }), /lacks/);
});
