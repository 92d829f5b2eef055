// DragGAN in the page's Web Worker (onnxruntime-web, wasm) against the official renderer: the draggan-tiny fixture's
// six steps (two points, a mask) through the app's own worker and Studio, compared with the fixture's tolerance:
// identical tracked points and stop flags, images identical on >= 99.9% of values (never more than 1 apart), and
// >= 99% of the latent within 1e-4 after every step.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { readNpy } from '../../src/io/npy.js';
import { toFloat32 } from '../../src/io/tensor.js';
import type { StylelabServer } from '../../src/serve/server.js';
import { type DragReference, fixture } from '../fixtures.js';
import { type AppBrowser, DRAG_MODEL, noChromium, openApp, pageWorker, startTestServer, uint8Closeness } from './app-helpers.js';


interface StepOut {
  points: [number, number][];
  stopped: boolean;
  image: Uint8Array;
  latent: Float32Array;
  ms: number;
}

const ref = JSON.parse(readFileSync(fixture('draggan-tiny', 'reference.json'), 'utf8')) as DragReference;
const npy = (name: string) => readNpy(readFileSync(fixture('draggan-tiny', name)));

describe('DragGAN in the browser worker matches the official renderer (draggan-tiny)', { skip: noChromium }, () => {
  let server: StylelabServer;
  let b: AppBrowser;
  let steps: StepOut[];
  before(async () => {
    server = await startTestServer();
    b = await openApp(`${server.url}#translate`);
    const w0 = Array.from(toFloat32(npy('w0.npy')));
    const mask = Array.from(toFloat32(npy('mask.npy')));
    const settings = { wSpace: 'w+', lr: 0.001, lambdaMask: ref.lambda_mask, r1: ref.r1, r2: ref.r2 };
    // A worker of its own (the app's bundle), driven with the same calls the Drag page makes.
    const call = await pageWorker(b.page, { wasmPaths: '/ort/', threads: 2, executionProviders: ['wasm'] });
    await call('dragOpen', { model: DRAG_MODEL, settings, latent: Float32Array.from(w0) });
    await call('dragEdit', { op: 'points', handles: ref.points_rc, targets: ref.targets_rc });
    await call('dragEdit', { op: 'mask', mask: Uint8Array.from(mask) });
    steps = [];
    for (let i = 0; i < ref.steps.length; i++) {
      const r = (await call('dragStep')) as { points: [number, number][]; stopped: boolean; image: { data: Uint8Array }; ms: number };
      const { latent } = (await call('dragLatent')) as { latent: Float32Array };
      steps.push({ points: r.points, stopped: r.stopped, image: r.image.data, latent, ms: r.ms });
    }
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });

  test('tracked points and stop flags every step', (t) => {
    t.diagnostic(`ms per step in the worker (wasm, 2 threads): ${steps.map((s) => s.ms.toFixed(0)).join(', ')}`);
    ref.steps.forEach((st, i) => {
      assert.deepEqual(steps[i]!.points, st.tracked_points, `step ${st.step} tracked points`);
      assert.equal(steps[i]!.stopped, st.stop, `step ${st.step} stop`);
    });
  });

  test('images every step: the uint8 rule', () => {
    ref.steps.forEach((st, i) => {
      const c = uint8Closeness(steps[i]!.image, npy(st.image).data as Uint8Array);
      assert.ok(c.same >= 0.999 && c.max <= 1, `step ${st.step}: ${(c.same * 100).toFixed(3)}% identical, max diff ${c.max}`);
    });
  });

  test('the latent after every step: >= 99% of values within 1e-4', () => {
    ref.steps.forEach((st, i) => {
      const want = toFloat32(npy(st.w_after));
      const got = steps[i]!.latent;
      assert.equal(got.length, want.length);
      let ok = 0;
      for (let k = 0; k < want.length; k++) if (Math.abs(got[k]! - want[k]!) <= 1e-4) ok++;
      assert.ok(ok / want.length >= 0.99, `step ${st.step}: ${((ok / want.length) * 100).toFixed(2)}% within 1e-4`);
    });
  });
});
