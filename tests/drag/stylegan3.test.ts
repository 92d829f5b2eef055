// Dragging a StyleGAN3 network (config T, 32x32; no official drag reference exists for StyleGAN3): the
// renderer's feat[5] is the output of layer L5, the handle is tracked away from its start, and no ws row past
// the first six changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DragSession } from '../../src/drag/session.js';
import { createEngine, loadCheckpoint, openGenerator } from '../../src/node.js';
import { fixture } from '../fixtures.js';

test('StyleGAN3-T: a drag moves the tracked handle and only the optimised rows', async () => {
  const engine = createEngine({ threads: 1 });
  const G = openGenerator(engine, loadCheckpoint(fixture('stylegan3-t-tiny', 'network.pkl')));
  assert.equal(G.arch, 'stylegan3');
  // At 32 pixels the default radii round to 0 (r1) and 1 (r2): give them in 512-pixel units that round to 1 and 3.
  const s = await DragSession.create(G, { seed: 0 }, { r1: 20, r2: 48, lr: 0.01 });
  s.setPoints([[16, 12]], [[16, 20]]);
  const seen = new Set<string>();
  for (let i = 0; i < 8; i++) seen.add(JSON.stringify((await s.step()).points[0]));
  assert.ok(seen.size > 1, `the handle never moved: ${[...seen]}`);
  const ws = s.latent();
  const rowsChanged = Array.from({ length: G.numWs }, (_, r) => ws.subarray(r * G.wDim, (r + 1) * G.wDim).some((v, i) => v !== s.w0[r * G.wDim + i]));
  // Row 0 drives the Fourier input through input.affine, whose weight is zero-initialised (as in this
  // checkpoint), so its gradient is zero; rows 1-5 drive layers L0-L4 that feed L5.
  assert.deepEqual(rowsChanged.slice(1), Array.from({ length: G.numWs - 1 }, (_, r) => r + 1 < 6));
  await s.dispose();
  await G.dispose();
  assert.equal(engine.liveSessions, 0);
});
