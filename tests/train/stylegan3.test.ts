// --cfg stylegan3-t / stylegan3-r: train.py's settings (no path length, no mixing, no G lazy correction; R: D
// blur fading out, 1x1 convs), magnitude EMAs updated in the D phase, snapshots that open as StyleGAN3.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createEngine, loadCheckpoint, openGenerator } from '../../src/node.js';
import { defaultTrainingOptions, type TrainingCfg } from '../../src/train/options.js';
import { GeneratorRenderer } from '../../src/train/report.js';
import { createTrainer } from '../../src/train/run.js';
import { saveSnapshot } from '../../src/train/snapshot.js';
import { shapesDataset } from './helpers.js';

const engine = createEngine({ threads: 2 });
const dir = mkdtempSync(join(tmpdir(), 'stylelab-sg3-train-'));
after(async () => {
  await engine.dispose();
  rmSync(dir, { recursive: true, force: true });
});
const data = shapesDataset(8, 16, 2);
const options = (cfg: TrainingCfg) => ({ ...defaultTrainingOptions(cfg, 4, 0.05), cbase: 512, cmax: 16, zDim: 16, wDim: 16, aug: 'noaug' as const, kimg: 1 });

describe('StyleGAN3 training', () => {
  test('stylegan3-t: train.py defaults, magnitude EMAs tracked, snapshot opens as StyleGAN3', async () => {
    const o = options('stylegan3-t');
    assert.equal(o.plWeight, 0);
    assert.equal(o.styleMixingProb, 0);
    assert.equal(o.gRegInterval, null);
    assert.equal(o.glr, 0.0025);
    assert.equal(o.mapDepth, 2);
    const t = createTrainer(engine, data, o);
    const r = new GeneratorRenderer(engine, t.nets.G_ema, 2);
    try {
      assert.equal(t.blurSigma, 0);
      assert.equal(t.optG.lr, 0.0025, 'no lazy-regularization correction for G');
      const emas = t.nets.G.buffers().filter((b) => b.name.endsWith('magnitude_ema'));
      assert.ok(emas.length > 3);
      await t.step();
      await t.step();
      const beta = 0.5 ** (4 / 20000);
      for (const b of emas) {
        // ema <- cur + beta (ema - cur) with cur = mean(x^2) >= 0: it moved, and by no more than beta allows down.
        assert.ok(b.data[0]! !== 1 && b.data[0]! >= beta ** 2 - 1e-6, `${b.name} = ${b.data[0]}`);
        assert.equal(t.nets.G_ema.weights.parameter(b.name).data[0], b.data[0], 'buffers copied to G_ema');
      }
      const name = t.nets.G.parameters()[0]!.name;
      assert.equal(t.optG.steps(name), 2, 'Gmain only');
      const snap = join(dir, 't');
      saveSnapshot(t, snap);
      const G = openGenerator(engine, loadCheckpoint(snap));
      try {
        assert.equal(G.arch, 'stylegan3');
        const z = Float32Array.from({ length: 2 * G.zDim }, (_, i) => Math.cos(i));
        const img = await G.generate(z, null, { noiseMode: 'const' });
        const ref = await r.render(z, new Float32Array(0));
        let d = 0;
        for (let i = 0; i < img.length; i++) d = Math.max(d, Math.abs(img[i]! - ref[i]!));
        assert.ok(d < 2e-3, `max difference ${d}`);
      } finally {
        await G.dispose();
      }
    } finally {
      await r.dispose();
      await t.dispose();
    }
  });

  test('stylegan3-r: D blur sigma 10 fading over batch * 200 / 32 kimg, doubled G channels', async () => {
    const o = options('stylegan3-r');
    assert.equal(o.blurInitSigma, 10);
    assert.equal(o.blurFadeKimg, (4 * 200) / 32);
    const t = createTrainer(engine, data, o);
    try {
      assert.equal(t.blurSigma, 10);
      const cfg = (t.nets.G as unknown as { config: { synthesis: { channelBase: number; convKernel: number } } }).config.synthesis;
      assert.equal(cfg.channelBase, 1024);
      assert.equal(cfg.convKernel, 1);
      await t.step();
      assert.ok(Math.abs(t.blurSigma - 10 * (1 - 4 / 25000)) < 1e-9);
      const losses = t.tickStats().losses;
      assert.ok(Number.isFinite(losses['Loss/Gmain']) && Number.isFinite(losses['Loss/Dmain']), JSON.stringify(losses));
    } finally {
      await t.dispose();
    }
  });
});
