// Engine options that change how programs are built and run but not what they compute: large parameters fed at
// run time instead of baked (feedLargeParams), idle intra-op threads not spinning (intraOpSpinning: false).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import * as E from '../../src/engine/index.js';
import { rng } from './harness.js';

function net() {
  const r = rng(11);
  const big = new E.Parameter('big', [64, 32], Float32Array.from({ length: 2048 }, () => r() - 0.5));
  const small = new E.Parameter('small', [32], Float32Array.from({ length: 32 }, () => r() - 0.5));
  const x = E.input('x', [2, 64]);
  const y = E.add(E.matmul(x, big.tensor), small.tensor);
  return { big, y, xv: Float32Array.from({ length: 128 }, () => r() * 2 - 1) };
}

describe('EngineOptions', () => {
  const baked = new E.Engine({ ort: ort as never, threads: 1 });
  const fed = new E.Engine({ ort: ort as never, threads: 1, feedLargeParams: 1000, intraOpSpinning: false });
  after(async () => {
    await baked.dispose();
    await fed.dispose();
  });

  test('feedLargeParams: parameters at or above the size are program inputs read at run time; results equal', async () => {
    const { big, y, xv } = net();
    const a = await baked.compile({ y });
    const b = await fed.compile({ y });
    assert.deepEqual(a.params.map((p) => p.name), []);
    assert.deepEqual(b.params.map((p) => p.name), ['big']); // 'small' (32 values) stays baked
    assert.ok(E.toOnnx({ y }, 'initializers', { feedParamsFrom: 1000 }).bytes.length < E.toOnnx({ y }).bytes.length - 2048 * 3); // the 8 KiB of values are not in the model
    const ya = (await a.run({ x: xv })).y!.data;
    assert.deepEqual(Array.from((await b.run({ x: xv })).y!.data), Array.from(ya));
    big.data = big.data.map((v) => 2 * v); // a fed parameter is read on every run
    assert.notDeepEqual(Array.from((await b.run({ x: xv })).y!.data), Array.from(ya));
    await a.dispose();
    await b.dispose();
  });
});
