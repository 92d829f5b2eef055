// --cfg stylegan1 in the training loop: a few steps on tiny 16x16 images across a resolution transition (8x8,
// the 16x16 fade-in, 16x16): the networks grow, layers not yet shown stay untouched, Adam is reset when
// layers appear, losses stay finite, and the snapshot generates at once.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createEngine } from '../../src/node.js';
import { openGenerator } from '../../src/models/open.js';
import { StyleGAN1Generator } from '../../src/models/stylegan1.js';
import { zFromSeed } from '../../src/random/numpy-random.js';
import { trainingArch } from '../../src/train/stylegan/registry.js';
import { Trainer } from '../../src/train/loop.js';
import { defaultTrainingOptions, validateTrainingOptions } from '../../src/train/options.js';
import type { StyleGAN1TrainableGenerator } from '../../src/train/stylegan/stylegan1.js';
import { shapesDataset } from './helpers.js';

const engine = createEngine({ threads: 1 });
after(() => engine.dispose());

test('stylegan1: 6 steps across the 8x8 -> 16x16 transition, then the snapshot generates', async () => {
  const o = validateTrainingOptions({
    ...defaultTrainingOptions('stylegan1', 4, 1),
    kimg: 0.024,
    aug: 'noaug',
    cbase: 256,
    cmax: 32,
    zDim: 16,
    wDim: 16,
    mapDepth: 2,
    mbstdGroup: 2,
    dRegInterval: 2,
    lodTrainingKimg: 0.008, // 8 images at 8x8, 8 fading in 16x16, then 16x16 (4 per step)
    lodTransitionKimg: 0.008,
  });
  assert.deepEqual([o.glr, o.emaKimg, o.emaRampup, o.plWeight, o.gRegInterval], [0.001, 10, null, 0, null]);
  const arch = trainingArch('stylegan1');
  const data = shapesDataset(12, 16, 0);
  const networks = arch.create(o, data);
  const G = networks.G as StyleGAN1TrainableGenerator;
  const trainer = new Trainer({ engine, arch, data, options: o, networks });
  const hiRes = () => G.weights.parameter('synthesis.16x16.Conv1.weight').data.slice();
  const start = hiRes();
  const seen: [number, number, number][] = [];
  try {
    while (!trainer.done) {
      await trainer.step();
      seen.push([Math.round(trainer.lod * 1e6) / 1e6, G.growth.resolution, trainer.optG.steps('mapping.Dense0.weight')]);
      if (trainer.lod === 1) assert.deepEqual(hiRes(), start, '16x16 layers untouched at 8x8');
    }
    // Only the current level's phases stay compiled (Gmain, Dmain, Dreg at 16x16): the 8x8 ones were released.
    assert.equal(engine.liveSessions, 3);
    const stats = trainer.tickStats();
    for (const [name, v] of Object.entries(stats.losses)) assert.ok(Number.isFinite(v), `${name} = ${v}`);
    assert.ok('Loss/Dreg' in stats.losses && 'Loss/Gmain' in stats.losses);
  } finally {
    await trainer.dispose();
  }
  assert.equal(engine.liveSessions, 0);
  // lod 1 (8x8) for three steps, the fade-in (Adam reset as it starts), then lod 0 (reset again).
  assert.deepEqual(seen.map((s) => s[1]), [8, 8, 8, 16, 16, 16]);
  assert.deepEqual(seen.map((s) => s[0]), [1, 1, 1, 0.5, 0, 0]);
  assert.deepEqual(seen.map((s) => s[2]), [1, 2, 3, 1, 1, 2], 'Adam steps restart when the fade-in starts and ends');
  assert.notDeepEqual(hiRes(), start, '16x16 layers trained once shown');
  const ema = networks.G_ema.weights.parameter('synthesis.16x16.Conv1.weight').data;
  assert.notDeepEqual(ema, hiRes(), 'G_ema is a moving average, not G itself');
  assert.ok(ema.some((v, i) => v !== start[i]), 'G_ema follows G');
  // The snapshot: our format, generates at once (fully grown: lod 0 saved).
  const G_ema = openGenerator(engine, arch.toCheckpoint(networks));
  assert.ok(G_ema instanceof StyleGAN1Generator);
  assert.equal(G_ema.lod, 0);
  const img = await G_ema.generate(zFromSeed(0, 16), null, { psi: 0.7 });
  assert.equal(img.length, 3 * 16 * 16);
  assert.ok(img.every(Number.isFinite));
  await G_ema.dispose();
});
