// Leak tests of the U-GAT-IT entry points: sessions and memory before and after many calls.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readUgatitParams } from '../../src/models/ugatit-checkpoint.js';
import { UgatitModel } from '../../src/models/ugatit.js';
import { createEngine } from '../../src/node.js';
import { fixture } from '../fixtures.js';

const MiB = 1024 * 1024;
const rss = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss;
};

test('translate 40 times and open/dispose a model 10 times: sessions released, bounded memory', async () => {
  const engine = createEngine({ threads: 1 });
  const ckpt = readUgatitParams(readFileSync(fixture('ugatit-light-tiny', 'fixture_params_0000100.pt')));
  const x = new Float32Array(3 * 256 * 256).fill(0.25);
  const model = new UgatitModel(engine, ckpt);
  for (let i = 0; i < 5; i++) await model.translate('A2B', x, 1);
  const before = rss();
  for (let i = 0; i < 40; i++) await model.translate(i % 2 ? 'A2B' : 'B2A', x, 1);
  assert.equal(engine.liveSessions, 2, 'one cached program per generator');
  await model.dispose();
  for (let i = 0; i < 10; i++) {
    const m = new UgatitModel(engine, ckpt);
    await m.run('disLB', x, 1);
    await m.dispose();
  }
  const grown = rss() - before;
  assert.equal(engine.liveSessions, 0);
  assert.ok(grown < 64 * MiB, `RSS grew ${(grown / MiB).toFixed(1)} MiB`);
});
