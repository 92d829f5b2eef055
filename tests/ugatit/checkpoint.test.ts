// U-GAT-IT checkpoints: official snapshots in both torch.save formats, stylelab's format round trip, and errors.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CheckpointError } from '../../src/errors.js';
import { isUgatitParams, readUgatitParams, writeUgatitModel, readUgatitModel } from '../../src/models/ugatit-checkpoint.js';
import { loadUgatitCheckpoint, saveUgatitModel } from '../../src/models/ugatit-files.js';
import { UgatitModel } from '../../src/models/ugatit.js';
import { createEngine } from '../../src/node.js';
import { tempDir } from '../cli/helpers.js';
import { fixture } from '../fixtures.js';
import { CKPT, npy } from './helpers.js';

const tmp = tempDir('stylelab-ugatit-ckpt-');
after(tmp.remove);

test('stylelab format round trip: same config, same tensors, same translation', async () => {
  const dir = 'ugatit-full-tiny-legacy';
  const official = readUgatitParams(readFileSync(fixture(dir, CKPT)));
  const out = join(tmp.dir, 'model');
  saveUgatitModel(official, out);
  assert.ok(existsSync(join(out, 'config.json')) && existsSync(join(out, 'weights.safetensors')));
  const back = loadUgatitCheckpoint(out);
  assert.deepEqual(back.config, official.config);
  assert.equal(back.format, 'stylelab');
  for (const [net, sd] of Object.entries(official.networks)) {
    for (const [name, t] of sd) assert.deepEqual(back.networks[net as keyof typeof back.networks]!.get(name)!.data, t.data, `${net}.${name}`);
  }
  const engine = createEngine({ threads: 1 });
  const model = new UgatitModel(engine, back);
  const x = npy(dir, 'input.npy');
  const { out: y } = await model.translate('A2B', x.data, 2);
  const expected = npy(dir, 'genA2B_out.npy');
  assert.ok(y.data.every((v, i) => Math.abs(v - expected.data[i]!) < 1e-3));
  await model.dispose();
  assert.equal(engine.liveSessions, 0);
});

test('recognises snapshots; light-mode size from the flag; contradictions and damage are clear errors', () => {
  const light = readFileSync(fixture('ugatit-light-tiny', CKPT));
  assert.ok(isUgatitParams(light) && isUgatitParams(readFileSync(fixture('ugatit-full-tiny-legacy', CKPT))));
  assert.ok(!isUgatitParams(readFileSync(fixture('stylegan2-tiny', 'network.pkl'))));
  assert.equal(readUgatitParams(light, { imgSize: 128 }).config.imgSize, 128);
  assert.throws(() => readUgatitParams(light, { light: false }), /light-mode model, not full/);
  // A snapshot missing a tensor, in our format.
  const ckpt = readUgatitParams(light);
  ckpt.networks.genA2B!.delete('UpBlock1_2.norm1.rho');
  const { configJson, weights } = writeUgatitModel(ckpt);
  assert.throws(() => readUgatitModel(configJson, weights), (e: Error) => e instanceof CheckpointError && /genA2B lacks the tensor 'UpBlock1_2.norm1.rho'/.test(e.message));
  const bad = join(tmp.dir, 'bad.pt');
  writeFileSync(bad, light.subarray(0, 5000));
  assert.throws(() => loadUgatitCheckpoint(bad), CheckpointError);
  assert.throws(() => readUgatitModel(configJson.replace('"ugatit"', '"stylegan2"'), weights), /not a U-GAT-IT one/);
});
