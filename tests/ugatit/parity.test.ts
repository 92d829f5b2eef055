// Parity with the official networks (znxlwm/UGATIT-pytorch) on both fixtures: all six networks' (out,
// cam_logit, heatmap), and the A2B2A cycle.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createEngine } from '../../src/node.js';
import { UGATIT_NETS } from '../../src/nets/ugatit/config.js';
import { readUgatitParams } from '../../src/models/ugatit-checkpoint.js';
import { UgatitModel } from '../../src/models/ugatit.js';
import { fixture } from '../fixtures.js';
import { assertNear, CKPT, FIXTURES, npy } from './helpers.js';

const ATOL = 1e-3;
// The discriminators' random weights with unconverged spectral-norm vectors give outputs up to 1e11, so they
// are held to float32 precision relative to each array's largest value instead (measured: <= 4e-5).
const D_RTOL_OF_MAX = 1e-4;

for (const dir of FIXTURES) {
  test(`${dir}: architecture read from the tensor shapes`, () => {
    const ref = JSON.parse(readFileSync(fixture(dir, 'reference.json'), 'utf8')) as { ch: number; n_res: number; light: boolean; img_size: number };
    const { config } = readUgatitParams(readFileSync(fixture(dir, CKPT)));
    assert.deepEqual(
      { ch: config.ch, nRes: config.nRes, light: config.light, imgSize: config.imgSize, globalLayers: config.globalLayers, localLayers: config.localLayers },
      { ch: ref.ch, nRes: ref.n_res, light: ref.light, imgSize: ref.img_size, globalLayers: 7, localLayers: 5 },
    );
  });

  test(`${dir}: all six networks and the cycle match the official outputs`, async () => {
    const engine = createEngine({ threads: 1 });
    const model = new UgatitModel(engine, readUgatitParams(readFileSync(fixture(dir, CKPT))));
    const x = npy(dir, 'input.npy');
    const batch = x.shape[0]!;
    try {
      for (const net of UGATIT_NETS) {
        const r = await model.run(net, x.data, batch);
        const rtol = net.startsWith('dis') ? D_RTOL_OF_MAX : 0;
        assertNear(r.out, npy(dir, `${net}_out.npy`), ATOL, `${dir} ${net} out`, rtol);
        assertNear(r.camLogit, npy(dir, `${net}_cam_logit.npy`), ATOL, `${dir} ${net} cam_logit`, rtol);
        assertNear(r.heatmap, npy(dir, `${net}_heatmap.npy`), ATOL, `${dir} ${net} heatmap`, rtol);
      }
      const a2b = await model.translate('A2B', x.data, batch);
      const cycle = await model.translate('B2A', a2b.out.data, batch);
      assertNear(cycle.out, npy(dir, 'cycle_A2B2A.npy'), ATOL, `${dir} cycle`);
    } finally {
      await model.dispose();
    }
    assert.equal(engine.liveSessions, 0);
  });
}
