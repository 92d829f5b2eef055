// Execution: ONNX serialisation round trip, export, caching, random inputs, feed validation, leak-free sessions.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { assertClose, makeEngine, rng } from './harness.js';

const engine = makeEngine();
after(() => engine.dispose());

function smallNet() {
  const r = rng(3);
  const w = new E.Parameter('w', [4, 2, 3, 3], Float32Array.from({ length: 72 }, () => r() - 0.5));
  const b = new E.Parameter('b', [1, 4, 1, 1], Float32Array.from({ length: 4 }, () => r() - 0.5));
  const x = E.input('x', [1, 2, 6, 6]);
  const y = E.leakyRelu(E.add(E.conv2d(x, w.tensor, { padding: 1 }), b.tensor), 0.2);
  const xv = Float32Array.from({ length: 72 }, () => r() * 2 - 1);
  return { w, b, x, y, xv };
}

describe('ONNX serialisation', () => {
  test('round trip: decode, re-encode, identical bytes; the decoded model runs with the same result', async () => {
    const { y, xv } = smallNet();
    const model = E.toOnnx({ y });
    const decoded = E.decodeOnnx(model.bytes);
    assert.equal(Number(decoded.opsetImport[0]!.version), E.OPSET);
    const g = decoded.graph!;
    assert.deepEqual(g.input!.map((i) => i.name), ['x']);
    assert.deepEqual(g.output!.map((o) => o.name), ['y']);
    assert.ok(g.initializer!.some((t) => t.name === 'w'));
    const reencoded = (await import('onnx-proto')).default.onnx.ModelProto.encode(decoded).finish();
    assert.deepEqual(Buffer.from(reencoded), Buffer.from(model.bytes));
    const a = await engine.compile({ y });
    const b = await engine.load({ ...model, bytes: reencoded });
    const ra = await a.run({ x: xv });
    const rb = await b.run({ x: xv });
    assert.deepEqual(Array.from(ra.y!.data), Array.from(rb.y!.data));
    await a.dispose();
    await b.dispose();
  });

  test('an exported .onnx file loads in a fresh onnxruntime session', async () => {
    const { y, xv } = smallNet();
    const dir = mkdtempSync(join(tmpdir(), 'stylelab-'));
    try {
      const file = join(dir, 'net.onnx');
      writeFileSync(file, E.toOnnx({ y }).bytes);
      const ort = await import('onnxruntime-node');
      const session = await ort.InferenceSession.create(readFileSync(file));
      const out = await session.run({ x: new ort.Tensor('float32', xv, [1, 2, 6, 6]) });
      const [ref] = E.evaluate([y], { x: E.ndarray([1, 2, 6, 6], xv) });
      assertClose(out.y!.data as Float32Array, ref!.data, 1e-5, 1e-4, 'exported model');
      await session.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('parameters as inputs: updates to Parameter.data apply on the next run', async () => {
    const { w, y, xv } = smallNet();
    const p = await engine.compile({ y }, 'inputs');
    assert.deepEqual(p.params.map((q) => q.name).sort(), ['b', 'w']);
    const before = Array.from((await p.run({ x: xv })).y!.data);
    const baked = await engine.compile({ y });
    assertClose((await baked.run({ x: xv })).y!.data, before, 1e-6, 1e-5, 'baked vs fed parameters');
    w.data = w.data.map((v) => v * 2);
    const afterUpdate = Array.from((await p.run({ x: xv })).y!.data);
    assert.notDeepEqual(afterUpdate, before);
    await p.dispose();
    await baked.dispose();
  });

  test('the same tensor under two output names, and a leaf as an output', async () => {
    const x = E.input('x', [3]);
    const y = E.exp(x);
    const p = await engine.compile({ a: y, b: y, c: x });
    const r = await p.run({ x: [0, 1, 2] });
    assertClose(r.a!.data, [1, Math.E, Math.E ** 2], 1e-6, 1e-6);
    assert.deepEqual(Array.from(r.b!.data), Array.from(r.a!.data));
    assert.deepEqual(Array.from(r.c!.data), [0, 1, 2]);
    await p.dispose();
  });
});

describe('execution', () => {
  test('random inputs are filled from the RandomSource: same seed, same output', async () => {
    const noise = E.randomInput('noise', [2, 5]);
    const y = E.mul(noise, 2);
    const p = await engine.compile({ y });
    const source = (seed: number): E.RandomSource => {
      const r = rng(seed);
      return { normal: (n) => Float32Array.from({ length: n }, () => r() - 0.5), uniform: (n) => Float32Array.from({ length: n }, r) };
    };
    const a = await p.run({}, { random: source(7) });
    const b = await p.run({}, { random: source(7) });
    const c = await p.run({}, { random: source(8) });
    assert.deepEqual(Array.from(a.y!.data), Array.from(b.y!.data));
    assert.notDeepEqual(Array.from(a.y!.data), Array.from(c.y!.data));
    await assert.rejects(p.run({}), /input 'noise' is random: pass \{ random \} or feed it/);
    await p.dispose();
  });

  test('bad feeds are refused with the input name and the expected size', async () => {
    const { y } = smallNet();
    const p = await engine.compile({ y });
    await assert.rejects(p.run({}), /missing input 'x' \(shape \[1,2,6,6\]\)/);
    await assert.rejects(p.run({ x: new Float32Array(5) }), /input 'x' expects 72 values \(shape \[1,2,6,6\]\), got 5/);
    await assert.rejects(p.run({ x: new Float32Array(72), z: [1] }), /unknown input 'z'/);
    await p.dispose();
    await assert.rejects(p.run({ x: new Float32Array(72) }), /disposed/);
  });

  test('cached programs: one session per key, released with the engine', async () => {
    const local = makeEngine();
    let builds = 0;
    const build = () => {
      builds++;
      return { y: E.relu(E.input('x', [4])) };
    };
    const [p1, p2] = await Promise.all([local.cached('relu:4', build), local.cached('relu:4', build)]);
    assert.equal(p1, p2);
    assert.equal(builds, 1);
    await local.cached('relu:4b', build);
    assert.equal(local.liveSessions, 2);
    await local.evict('relu:4b');
    assert.equal(local.liveSessions, 1);
    await local.dispose();
    assert.equal(local.liveSessions, 0);
    assert.ok(p1.disposed);
  });

  test('no leaks: 200 compile/run/dispose cycles return to zero sessions and bounded memory', async () => {
    const local = makeEngine();
    const { y, xv } = smallNet();
    const cycle = async () => {
      const p = await local.compile({ y });
      await p.run({ x: xv });
      await p.dispose();
    };
    for (let i = 0; i < 20; i++) await cycle();
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 200; i++) await cycle();
    globalThis.gc?.();
    const grown = process.memoryUsage().rss - before;
    assert.equal(local.liveSessions, 0);
    assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${(grown / 1048576).toFixed(1)} MiB over 200 cycles`);
    await local.dispose();
  });
});

describe('WebGPU-compatible emission computes the same values (checked on the CPU provider)', () => {
  test('1x1 conv with end-only pads, negative-step slices, a 9-way concat, a filter gradient', async () => {
    const r = rng(9);
    const x = E.input('x', [1, 3, 4, 5]);
    const w = E.input('w', [2, 3, 1, 1]);
    const conv = E.conv2d(x, w, { padding: [0, 0, 1, 2] });
    const flipped = E.slice(x, [{ axis: 2, step: -1 }, { axis: 3, start: 4, end: 0, step: -2 }]);
    const cat = E.concat(Array.from({ length: 9 }, (_, i) => E.mul(x, i + 1)), 1);
    const w3 = E.input('w3b', [2, 3, 3, 3]);
    const [gw] = E.grad(E.sum(E.square(E.conv2d(x, w3, { padding: 1 }))), [w3]);
    const outs = { conv, flipped, cat, gw: gw! };
    const feeds = { x: E.ndarray([1, 3, 4, 5], Float64Array.from({ length: 60 }, () => r() - 0.5)), w: E.ndarray([2, 3, 1, 1], Float64Array.from({ length: 6 }, r)), w3b: E.ndarray([2, 3, 3, 3], Float64Array.from({ length: 54 }, r)) };
    const model = E.toOnnx(outs, 'initializers', { webgpu: true });
    const ops = new Set(E.decodeOnnx(model.bytes).graph!.node!.map((n) => n.opType));
    assert.ok(ops.has('Gather'), 'negative steps became Gathers');
    const prog = await engine.load(model);
    const got = await prog.run(Object.fromEntries(prog.inputs.map((i) => [i.name, Array.from(feeds[i.name as keyof typeof feeds].data)])));
    const ref = E.evaluate(Object.values(outs), feeds);
    Object.keys(outs).forEach((k, i) => assertClose(got[k]!.data, ref[i]!.data, 1e-5, 1e-4, k));
    for (const n of E.decodeOnnx(model.bytes).graph!.node!) if (n.opType === 'Concat') assert.ok(n.input!.length <= 7, 'Concat inputs <= 7');
    await prog.dispose();
  });
});

describe('session memory settings', () => {
  test('arena and memory pattern off reach ORT and give the same result as the defaults', async () => {
    const { y, xv } = smallNet();
    const seen: Record<string, unknown>[] = [];
    const ort = engine.options.ort;
    const spy = new E.Engine({ ...engine.options, ort: { ...ort, InferenceSession: { create: (bytes, o) => (seen.push({ ...o }), ort.InferenceSession.create(bytes, o)) } } });
    const lean = await spy.compile({ y }, 'initializers', { arena: false, pattern: false });
    const plain = await spy.compile({ y });
    assert.deepEqual([seen[0]!.enableCpuMemArena, seen[0]!.enableMemPattern], [false, false]);
    assert.deepEqual([seen[1]!.enableCpuMemArena, seen[1]!.enableMemPattern], [true, true]);
    for (let i = 0; i < 2; i++) assert.deepEqual(Array.from((await lean.run({ x: xv })).y!.data), Array.from((await plain.run({ x: xv })).y!.data));
    await lean.dispose();
    await plain.dispose();
    assert.equal(spy.liveSessions, 0);
  });
});
