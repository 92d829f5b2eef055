// The progressive-growing schedule (training_loop.py training_schedule) with the official FFHQ settings:
// lod, resolution, minibatch and learning rates at chosen image counts, and the Adam reset rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lodChanged, progressiveSchedule, STYLEGAN1_SCHEDULE } from '../../src/nets/stylegan1/schedule.js';

test('1024x1024 from 8x8: 600 kimg stable, then 600 kimg fading in each doubling, lod 0 from 8400 kimg on', () => {
  const at = (kimg: number) => progressiveSchedule(kimg * 1000, 1024);
  const cases: [number, number, number][] = [
    // [kimg, lod, resolution]
    [0, 7, 8],
    [599, 7, 8],
    [600, 7, 8],
    [900, 6.5, 16],
    [1200, 6, 16],
    [1800, 6, 16],
    [2100, 5.5, 32],
    [6600, 2, 256],
    [7500, 1, 512],
    [8100, 0.5, 1024],
    [8400, 0, 1024],
    [20000, 0, 1024],
  ];
  for (const [kimg, lod, res] of cases) {
    const s = at(kimg);
    assert.ok(Math.abs(s.lod - lod) < 1e-12, `lod at ${kimg} kimg: ${s.lod}, expected ${lod}`);
    assert.equal(s.resolution, res, `resolution at ${kimg} kimg`);
    assert.equal(s.kimg, kimg);
  }
  // Minibatch and learning rate per resolution (train.py sgan, one GPU).
  assert.deepEqual([at(0).minibatch, at(2100).minibatch, at(6600).minibatch, at(7500).minibatch, at(8400).minibatch], [128, 64, 8, 4, 4]);
  assert.deepEqual([at(0).GLrate, at(4000).GLrate, at(4800).GLrate, at(8400).DLrate], [0.001, 0.001, 0.0015, 0.003]);
  assert.deepEqual([at(4000).resolution, at(4800).resolution], [64, 128]);
  assert.deepEqual([at(0).tickKimg, at(8400).tickKimg], [140, 20]);
});

test('small data sets, custom phases, learning-rate ramp-up and bad input', () => {
  // 16x16 with 1-kimg phases: lod 1 -> 0 between 1 and 2 kimg.
  const o = { lodTrainingKimg: 1, lodTransitionKimg: 1, minibatchBase: 8, minibatchDict: {}, lrateRampupKimg: 4 };
  const s = (n: number) => progressiveSchedule(n, 16, o);
  assert.deepEqual([s(0).lod, s(999).lod, s(1500).lod, s(2000).lod, s(5000).lod], [1, 1, 0.5, 0, 0]);
  assert.deepEqual([s(0).resolution, s(1500).resolution], [8, 16]);
  assert.equal(s(1000).minibatch, 8);
  assert.ok(Math.abs(s(1000).GLrate - 0.001 / 4) < 1e-12 && s(8000).DLrate === 0.001);
  // Starting at the full resolution: no growing.
  assert.equal(progressiveSchedule(0, 64, { lodInitialResolution: 64 }).lod, 0);
  assert.throws(() => progressiveSchedule(0, 48), /power of two/);
  assert.throws(() => progressiveSchedule(-1, 64), /non-negative/);
  assert.equal(STYLEGAN1_SCHEDULE.lodInitialResolution, 8);
});

test('Adam is reset when a fade-in starts and when it ends, not during it', () => {
  assert.equal(lodChanged(-1, 3), true); // first step
  assert.equal(lodChanged(3, 3), false);
  assert.equal(lodChanged(3, 2.99), true); // fade-in starts
  assert.equal(lodChanged(2.99, 2.5), false);
  assert.equal(lodChanged(2.01, 2), true); // fade-in ends
});
