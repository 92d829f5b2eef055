// The drag session API: undo/redo restore exactly, lr changes keep the optimiser, latent files round-trip,
// bad input is refused with one clear message, and many steps leave no session and bounded memory.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { latentToJson, latentToNpy, latentToNpz, readLatent } from '../../src/drag/latent.js';
import { parseDragPoints } from '../../src/drag/points.js';
import { defaultNetwork } from '../../src/cli/default-model.js';
import { DragSession } from '../../src/drag/session.js';
import { InputError } from '../../src/errors.js';
import { readNpy } from '../../src/io/npy.js';
import { toFloat32 } from '../../src/io/tensor.js';
import { createEngine, loadCheckpoint, openGenerator } from '../../src/node.js';
import { fixture } from '../fixtures.js';

const engine = createEngine({ threads: 1 });
const G = openGenerator(engine, loadCheckpoint(fixture('draggan-tiny', 'network.pkl')));
after(async () => {
  await G.dispose();
  await engine.dispose();
});
const w0 = toFloat32(readNpy(readFileSync(fixture('draggan-tiny', 'w0.npy'))));
const POINTS: [number, number][] = [[51, 57]];
const TARGETS: [number, number][] = [[51, 76]];

describe('DragSession', () => {
  test('undo and redo of steps and point edits restore the latent and points exactly', async () => {
    const s = await DragSession.create(G, { latent: w0 });
    s.setPoints(POINTS, TARGETS);
    const r1 = await s.step();
    const afterOne = s.latent().slice();
    await s.step();
    const afterTwo = s.latent().slice();
    assert.notDeepEqual(afterTwo, afterOne);
    assert.ok(s.undo());
    assert.deepEqual(s.latent(), afterOne);
    assert.equal(s.steps, 1);
    // Stepping again from the restored state repeats the same step (optimiser state restored too).
    await s.step();
    assert.deepEqual(s.latent(), afterTwo);
    assert.ok(s.undo());
    assert.ok(s.redo());
    assert.deepEqual(s.latent(), afterTwo);
    assert.ok(!s.redo());
    s.setPoints([[60, 60]], [[60, 70]]);
    assert.deepEqual(s.handles, [[60, 60]]);
    assert.ok(s.undo());
    assert.deepEqual(s.handles, r1.points);
    while (s.undo());
    assert.deepEqual(s.latent(), w0);
    assert.deepEqual(s.handles, []);
    await s.dispose();
  });

  test('reset returns to the start latent; changing lr keeps Adam moments (a step differs from a fresh one)', async () => {
    const s = await DragSession.create(G, { latent: w0 }, { lr: 0.001 });
    s.setPoints(POINTS, TARGETS);
    await s.step();
    s.lr = 0.01;
    const before = s.latent().slice();
    await s.step();
    const moved = s.latent().reduce((m, v, i) => Math.max(m, Math.abs(v - before[i]!)), 0);
    assert.ok(moved > 0.002 && moved <= 0.0101, `step size ${moved} at lr 0.01`);
    s.reset();
    assert.deepEqual(s.latent(), w0);
    assert.equal(s.steps, 0);
    assert.throws(() => (s.lr = -1), InputError);
    await s.dispose();
  });

  test('a mask set after the first step holds the first frame fixed, as one set before it', async () => {
    const mask = toFloat32(readNpy(readFileSync(fixture('draggan-tiny', 'mask.npy'))));
    const a = await DragSession.create(G, { latent: w0 });
    a.setPoints(POINTS, TARGETS);
    a.setMask(mask);
    await a.step();
    await a.step();
    const b = await DragSession.create(G, { latent: w0 });
    b.setPoints(POINTS, TARGETS);
    await b.step();
    b.setMask(mask);
    await b.step();
    assert.deepEqual(b.latent(), a.latent());
    await a.dispose();
    await b.dispose();
  });

  test('reg pulls the latent back towards the start (L1, as reg * F.l1_loss(ws, w0))', async () => {
    const s = await DragSession.create(G, { latent: w0 }, { reg: 1e5 });
    s.setPoints(POINTS, TARGETS);
    await s.step(); // ws = w0: the L1 term has zero gradient
    const dist = () => s.latent().reduce((a, v, i) => a + Math.abs(v - w0[i]!), 0);
    const d1 = dist();
    await s.step();
    await s.step();
    assert.ok(dist() < d1, `L1 distance to w0 ${dist()} after 3 steps, ${d1} after 1`);
    await s.dispose();
  });

  test('w mode optimises one w shared by the first 6 rows', async () => {
    const s = await DragSession.create(G, { seed: 3 }, { wSpace: 'w' });
    s.setPoints(POINTS, TARGETS);
    await s.step();
    const ws = s.latent();
    for (let r = 1; r < 6; r++) assert.deepEqual(ws.subarray(r * 64, r * 64 + 64), ws.subarray(0, 64));
    assert.deepEqual(ws.subarray(6 * 64), s.w0.subarray(6 * 64));
    assert.notDeepEqual(ws.subarray(0, 64), s.w0.subarray(0, 64));
    await s.dispose();
  });

  test('stops when every handle is within 2 pixels of its target, without updating the latent', async () => {
    const s = await DragSession.create(G, { latent: w0 });
    s.setPoints([[40, 40]], [[41, 41]]);
    const r = await s.step();
    assert.ok(r.stopped);
    assert.deepEqual(s.latent(), w0);
    await s.dispose();
  });

  test('bad input: points outside the image, wrong mask size, latent of the wrong shape', async () => {
    const s = await DragSession.create(G, { latent: w0 });
    assert.throws(() => s.setPoints([[128, 3]], [[3, 3]]), /handle point 1 \[128, 3\] is outside the 128x128 image/);
    assert.throws(() => s.setPoints([[1, 3]], []), /one target per handle/);
    assert.throws(() => s.setMask(new Float32Array(10)), /mask has 10 values but the image is 128x128/);
    await assert.rejects(() => s.step(), /set handle and target points/);
    await assert.rejects(() => DragSession.create(G, { latent: new Float32Array(100) }), /\[1, 12, 64\]/);
    assert.throws(() => parseDragPoints('1,2>3'), /target point '3'/);
    assert.throws(() => parseDragPoints('1,2'), /handle>target pair/);
    await s.dispose();
  });
});

describe('latent files', () => {
  test('.npy, projected_w.npz and JSON round-trip; one w is repeated; wrong shapes are refused', () => {
    for (const write of [latentToNpy, latentToNpz, latentToJson]) assert.deepEqual(readLatent(write(w0, 12, 64), 12, 64), w0);
    const one = readLatent(latentToNpy(w0.subarray(0, 64).slice(), 1, 64), 12, 64);
    assert.deepEqual(one.subarray(64 * 11), w0.subarray(0, 64));
    assert.throws(() => readLatent(latentToNpy(w0, 12, 64), 14, 64), /shape \[1, 12, 64\]; this network needs \[1, 14, 64\]/);
    assert.throws(() => readLatent(new TextEncoder().encode('hello'), 12, 64), InputError);
  });
});

test('leak: 40 steps on one session keep one program, bounded memory; dispose releases it', async () => {
  const rss = () => {
    globalThis.gc?.();
    return process.memoryUsage().rss;
  };
  const live = engine.liveSessions;
  const s = await DragSession.create(G, { latent: w0 }, { historyLimit: 10 });
  s.setPoints([[51, 57], [89, 38]], [[51, 76], [79, 38]]);
  for (let i = 0; i < 5; i++) await s.step();
  const before = rss();
  for (let i = 0; i < 40; i++) await s.step();
  const grown = rss() - before;
  assert.equal(s.sessions, 1);
  assert.ok(grown < 64 * 1024 * 1024, `RSS grew ${(grown / 1024 / 1024).toFixed(1)} MiB`);
  await s.dispose();
  assert.equal(engine.liveSessions, live);
});

describe('DragSession on a network with fewer than six feature maps', () => {
  test('the default feature map is the last one (feat[3] of a 32x32 network); an explicit feat[5] is refused', async () => {
    // The bundled 32x32 model (trained, so its features vary; the random stylegan2-tiny fixture's are flat here).
    const small = openGenerator(engine, loadCheckpoint(defaultNetwork()));
    try {
      const latentOf = async (featureIdx?: number) => {
        const s = await DragSession.create(small, { seed: 1 }, { featureIdx });
        try {
          s.setPoints([[21, 15]], [[26, 15]]);
          await s.step();
          return s.latent().slice();
        } finally {
          await s.dispose();
        }
      };
      const byDefault = await latentOf();
      assert.deepEqual(byDefault, await latentOf(3));
      assert.notDeepEqual(byDefault, await latentOf(2));
      await assert.rejects(latentOf(5), (e: Error) => e instanceof InputError && /feature map 5.*has 4/.test(e.message));
      // r1 3 (pixels of a 512 image) rounds to no pixel at 32x32: refused when given, as nothing could move.
      await assert.rejects(DragSession.create(small, { seed: 1 }, { r1: 3 }), (e: Error) => e instanceof InputError && /r1 3 is a 0-pixel motion radius .* use r1 > 8/.test(e.message));
    } finally {
      await small.dispose();
    }
  });
});
