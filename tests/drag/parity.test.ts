// Parity with the official renderer (fixture draggan-tiny: six steps of Renderer._render_drag_impl on a
// 128x128 StyleGAN2, two points, a mask): tracked points every step, the latent after each step, the images.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { DragSession } from '../../src/drag/session.js';
import { readNpy } from '../../src/io/npy.js';
import { toFloat32 } from '../../src/io/tensor.js';
import { toUint8Image } from '../../src/models/generate.js';
import { createEngine, loadCheckpoint, openGenerator } from '../../src/node.js';
import { type DragReference, fixture } from '../fixtures.js';

type Reference = DragReference;
const ref = JSON.parse(readFileSync(fixture('draggan-tiny', 'reference.json'), 'utf8')) as Reference;
const npy = (name: string) => toFloat32(readNpy(readFileSync(fixture('draggan-tiny', name))));
const engine = createEngine({ threads: 1 });
const G = openGenerator(engine, loadCheckpoint(fixture('draggan-tiny', 'network.pkl')));
after(async () => {
  await G.dispose();
  await engine.dispose();
});

/** Fraction of values within tol, and the largest difference. */
function closeness(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): { frac: number; max: number } {
  let ok = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d <= tol) ok++;
    max = Math.max(max, d);
  }
  return { frac: ok / a.length, max };
}

test('the start latent from the seed equals the renderer w0', async () => {
  const s = await DragSession.create(G, { seed: ref.w0_seed, psi: ref.trunc_psi });
  const c = closeness(s.latent(), npy('w0.npy'), 1e-5);
  assert.equal(c.frac, 1, `max diff ${c.max}`);
  await s.dispose();
});

/** Runs the fixture's six steps, calling `check` after each. */
async function sixSteps(check: (st: Reference['steps'][number], r: Awaited<ReturnType<DragSession['step']>>, s: DragSession) => void): Promise<void> {
  const s = await DragSession.create(G, { latent: npy('w0.npy') }, { lambdaMask: ref.lambda_mask, r1: ref.r1, r2: ref.r2, lr: 0.001 });
  try {
    s.setPoints(ref.points_rc, ref.targets_rc);
    s.setMask(npy('mask.npy'));
    for (const st of ref.steps) check(st, await s.step(), s);
  } finally {
    await s.dispose();
  }
}

test('six drag steps: same tracked points, stop flags and images every step', async () => {
  await sixSteps((st, r) => {
    assert.deepEqual(r.points, st.tracked_points, `step ${st.step} tracked points`);
    assert.equal(r.stopped, st.stop, `step ${st.step} stop`);
    const img = toUint8Image(r.image, 3, 128, 128);
    const want = readNpy(readFileSync(fixture('draggan-tiny', st.image))).data as Uint8Array;
    const px = closeness(img, want, 0);
    assert.ok(px.frac >= 0.999 && px.max <= 1, `step ${st.step} image: ${(px.frac * 100).toFixed(3)}% identical, max diff ${px.max}`);
  });
});

test('six drag steps: latent after each step within 1e-4 on >= 99% of values', async () => {
  await sixSteps((st, _r, s) => {
    const w = closeness(s.latent(), npy(st.w_after), 1e-4);
    assert.ok(w.frac >= 0.99, `step ${st.step}: ${(w.frac * 100).toFixed(2)}% of w within 1e-4 (max diff ${w.max})`);
  });
});
