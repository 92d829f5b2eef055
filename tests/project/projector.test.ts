// Projection on the fixture networks: an image generated from a known w is recovered (PSNR bounds, far above the
// start image's), with MSE and with LPIPS; the step graph's gradient against finite differences; w stats; errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { Lpips, readLpipsLinear } from '../../src/metrics/lpips.js';
import { readVgg16 } from '../../src/metrics/nets/vgg16.js';
import { createEngine, loadCheckpoint, openGenerator, zFromSeed } from '../../src/node.js';
import { lpipsDistance, mseDistance } from '../../src/project/distance.js';
import { Projector, projectStepGraph, wStats } from '../../src/project/projector.js';
import { RandomState } from '../../src/random/numpy-random.js';
import { fixture } from '../fixtures.js';

const engine = createEngine({ threads: 1 });
const sg2 = openGenerator(engine, loadCheckpoint(fixture('stylegan2-tiny', 'network.pkl')));
const sg3 = openGenerator(engine, loadCheckpoint(fixture('stylegan3-t-tiny', 'network.pkl')));
after(async () => {
  await sg2.dispose();
  await sg3.dispose();
  await engine.dispose();
});

/** PSNR in dB with the target's peak-to-peak range as the peak (these random networks leave [-1, 1] far behind). */
function psnr(a: Float32Array, target: Float32Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  let se = 0;
  for (let i = 0; i < target.length; i++) {
    [lo, hi] = [Math.min(lo, target[i]!), Math.max(hi, target[i]!)];
    se += (a[i]! - target[i]!) ** 2;
  }
  return 10 * Math.log10((hi - lo) ** 2 / (se / target.length));
}

/** The known latent (seed 5, psi 0.7), its image (stored noise), and the image of w_avg (where projection starts). */
async function known(G: typeof sg2) {
  const ws = await G.mapping(zFromSeed(5, G.zDim), null, { psi: 0.7 });
  const target = await G.synthesis(ws, { noiseMode: 'const' });
  const start = await G.synthesis(await G.mapping(zFromSeed(0, G.zDim), null, { psi: 0 }), { noiseMode: 'const' });
  return { ws, target, start };
}

describe('projection recovers a generated image', () => {
  test('StyleGAN2 (stylegan2-tiny), MSE, W, 100 steps: above 27 dB with the optimised noise, 25 dB with the stored noise', async () => {
    const { target, start } = await known(sg2);
    const p = await Projector.create(sg2, target, mseDistance(), { numSteps: 100, wAvgSamples: 2000 });
    const dists: number[] = [];
    await p.run({ onStep: (r) => void dists.push(r.dist) });
    const withNoise = psnr(await p.synthesize(), target);
    const stored = psnr(await sg2.synthesis(p.latent(), { noiseMode: 'const' }), target);
    const before = psnr(start, target);
    await p.dispose();
    // Measured: 30.5 and 29.5 dB; the w_avg image scores 20.5 dB.
    assert.ok(withNoise > 27, `PSNR with the optimised noise ${withNoise.toFixed(2)} dB`);
    assert.ok(stored > 25, `PSNR with the stored noise ${stored.toFixed(2)} dB`);
    assert.ok(before < 22, `the start image scores ${before.toFixed(2)} dB`);
    assert.ok(dists[99]! < dists[0]! / 5, `distance ${dists[0]} -> ${dists[99]}`);
  });

  test('StyleGAN3 (stylegan3-t-tiny), MSE, W+, 40 steps: above 19 dB where the start image scores under 10', async () => {
    const { target, start } = await known(sg3);
    const p = await Projector.create(sg3, target, mseDistance(), { numSteps: 40, wAvgSamples: 2000, wPlus: true });
    assert.deepEqual(p.noiseValues(), [], 'StyleGAN3 has no noise buffers');
    const last = await p.run();
    assert.equal(last.step, 40);
    assert.equal(last.ws.length, sg3.numWs * sg3.wDim);
    // W+: the layers differ after optimisation.
    assert.notDeepEqual(last.ws.subarray(0, sg3.wDim), last.ws.subarray(sg3.wDim, 2 * sg3.wDim));
    const got = psnr(await sg3.synthesis(p.latent()), target);
    await p.dispose();
    // Measured: 23.1 dB; the w_avg image scores 9.5 dB.
    assert.ok(got > 19, `PSNR ${got.toFixed(2)} dB`);
    assert.ok(psnr(start, target) < 10);
  });

  test('LPIPS (fixture lpips-vgg: random VGG16 features, real linear layers) on the bundled emoji model: above 22 dB in 100 steps', async () => {
    const L = (name: string) => readFileSync(fixture('lpips-vgg', name));
    const lpips = new Lpips(readVgg16(L('vgg16-features-random.pth'), false), readLpipsLinear(L('lpips-vgg-v0.1-lin.pth')));
    const emoji = openGenerator(engine, loadCheckpoint(new URL('../../../models/stylegan2-emoji32', import.meta.url).pathname));
    try {
      const ws = await emoji.mapping(zFromSeed(3, emoji.zDim), null, { psi: 0.7 });
      const target = await emoji.synthesis(ws, { noiseMode: 'const' });
      const p = await Projector.create(emoji, target, lpipsDistance(engine, lpips), { numSteps: 100, wAvgSamples: 2000 });
      const first = await p.step();
      const last = await p.run();
      const got = psnr(await emoji.synthesis(p.latent(), { noiseMode: 'const' }), target);
      await p.dispose();
      // Measured: 25.7 dB (the w_avg image: 8.6 dB); LPIPS falls from 0.086 to 0.0025.
      assert.ok(got > 22, `PSNR ${got.toFixed(2)} dB`);
      assert.ok(last.dist < first.dist / 10, `LPIPS ${first.dist} -> ${last.dist}`);
    } finally {
      await emoji.dispose();
    }
  });
});

describe('projection steps', () => {
  test('the step graph\'s gradient with respect to ws matches central differences of its loss', async () => {
    const { outputs, noise } = projectStepGraph(sg2, mseDistance(), 1e5);
    const prog = await engine.compile(outputs);
    const { ws, target } = await known(sg2);
    const rs = new RandomState(1);
    const feeds: Record<string, Float32Array> = { target, ws: await sg2.mapping(zFromSeed(8, sg2.zDim), null, { psi: 0.5 }) };
    for (const n of noise) feeds[(n.node.attrs as { name: string }).name] = Float32Array.from(rs.randn(n.size));
    const out = await prog.run(feeds);
    const g = Float32Array.from(out.grad_ws!.data);
    // Along the direction towards the known w: d loss = g . d.
    const d = Float32Array.from(ws, (v, i) => v - feeds.ws![i]!);
    const at = async (h: number) => (await prog.run({ ...feeds, ws: Float32Array.from(feeds.ws!, (v, i) => v + h * d[i]!) })).loss!.data[0]!;
    const h = 1e-3;
    const fd = ((await at(h)) - (await at(-h))) / (2 * h);
    const analytic = g.reduce((s, v, i) => s + v * d[i]!, 0);
    assert.ok(Math.abs(fd - analytic) <= 0.02 * Math.abs(analytic), `finite difference ${fd} vs gradient ${analytic}`);
    assert.ok(noise.every((n) => out[`grad_noise${noise.indexOf(n)}`]!.data.some((v) => v !== 0)), 'every noise buffer gets a gradient');
    await prog.dispose();
  });

  test('the first step has learning rate 0 (ramp-up): w stays at w_avg; the step budget is enforced', async () => {
    const { target } = await known(sg2);
    const p = await Projector.create(sg2, target, mseDistance(), { numSteps: 2, wAvgSamples: 500 });
    const { wAvg } = await wStats(sg2, 500, 123);
    const r = await p.step();
    assert.equal(r.lr, 0);
    for (let l = 0; l < sg2.numWs; l++) assert.deepEqual(r.ws.subarray(l * sg2.wDim, (l + 1) * sg2.wDim), wAvg);
    const r2 = await p.step();
    assert.ok(r2.lr > 0);
    assert.notDeepEqual(r2.ws, r.ws);
    await assert.rejects(p.step(), /has taken its 2 steps/);
    await p.dispose();
  });

  test('w stats: the same for any batch size; w_std is the root mean squared distance to w_avg', async () => {
    const a = await wStats(sg2, 7, 123, 3);
    const b = await wStats(sg2, 7, 123, 7);
    assert.deepEqual(a.wAvg, b.wAvg);
    assert.equal(a.wStd, b.wStd);
    const ws = await sg2.mapping(new RandomState(123).randn(7, sg2.zDim), null);
    let sq = 0;
    for (let i = 0; i < 7; i++) for (let j = 0; j < sg2.wDim; j++) sq += (ws[i * sg2.numWs * sg2.wDim + j]! - a.wAvg[j]!) ** 2;
    assert.ok(Math.abs(a.wStd - Math.sqrt(sq / 7)) < 1e-9 * a.wStd);
  });

  test('bad input: wrong target size, conditional network, bad options (one InputError each)', async () => {
    const small = { data: new Uint8Array(16 * 16 * 3), width: 16, height: 16, channels: 3 };
    await assert.rejects(Projector.create(sg2, small, mseDistance()), (e: Error) => e instanceof InputError && /RGB image of 32x32 .* got 16x16x3/.test(e.message));
    await assert.rejects(Projector.create(sg2, new Float32Array(5), mseDistance()), /float target must hold \[1, 3, 32, 32\]/);
    await assert.rejects(Projector.create(sg2, new Float32Array(3 * 32 * 32).fill(NaN), mseDistance()), /not finite/);
    const cond = openGenerator(engine, loadCheckpoint(fixture('stylegan2-cond-tiny', 'network.pkl')));
    const R = cond.imgResolution;
    await assert.rejects(Projector.create(cond, new Float32Array(3 * R * R), mseDistance()), /conditional network is not supported/);
    await cond.dispose();
    await assert.rejects(Projector.create(sg2, new Float32Array(3 * 32 * 32), mseDistance(), { numSteps: -3 }), /numSteps must be an integer/);
    assert.equal(engine.liveSessions, 0 + (sg2.sessions + sg3.sessions), 'no program left open by the refusals');
  });
});
