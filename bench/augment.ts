// npm run bench:augment: ADA's 'bgc' pipeline on a batch of 8 64x64 RGB images (the training benchmark's
// shape): forward only (D's reals) and forward + gradient to the images (G's fakes), as used in every step;
// then the geometric stages on their own, to show where the time goes.
import * as ort from 'onnxruntime-node';
import * as E from '../src/engine/index.js';
import { seededSource } from '../src/random/source.js';
import { AUGMENT_PRESETS, augmentPipe, augmentSpec, upsample2x, WAVELETS } from '../src/train/augment.js';
import { setupFilter, upsample2d } from '../src/nets/ops/upfirdn2d.js';
import { warpBilinear } from '../src/train/augment-warp.js';

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const ITERS = Number(process.env.BENCH_ITERS ?? 10);
const BATCH = Number(process.env.BENCH_BATCH ?? 8);
const RES = Number(process.env.BENCH_RES ?? 64);
const engine = new E.Engine({ ort: ort as unknown as E.OrtModule, threads: THREADS });

/** Deterministic test data in [-1, 1). */
function data(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Median and minimum of ITERS timed runs (new random draws each run) after two warm-ups. */
async function time(outputs: Record<string, E.Tensor>, feeds: Record<string, E.Feed>): Promise<{ median: number; min: number }> {
  const p = await engine.compile(outputs);
  const used = Object.fromEntries(Object.entries(feeds).filter(([k]) => p.inputs.some((i) => i.name === k)));
  const ts: number[] = [];
  for (let i = 0; i < ITERS + 2; i++) {
    const t = performance.now();
    await p.run(used, { random: seededSource(i) });
    if (i >= 2) ts.push(performance.now() - t);
  }
  await p.dispose();
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)]!, min: ts[0]! };
}

const row = (name: string, r: { median: number; min: number }) => console.log(`${name.padEnd(52)}  ${r.median.toFixed(1).padStart(8)}  ${r.min.toFixed(1).padStart(8)}`);

async function main(): Promise<void> {
  const shape = [BATCH, 3, RES, RES];
  console.log(`onnxruntime-node ${ort.env.versions.node}, ${THREADS} threads, ${ITERS} runs, images [${shape}] (median, min in ms)`);
  const x = E.input('x', shape);
  const dy = E.input('dy', shape);
  const p = E.input('p', []);
  const feeds = { x: data(x.size, 1), dy: data(x.size, 2) };
  for (const [name, spec] of [['bgc', AUGMENT_PRESETS.bgc], ['bg (geometric only)', AUGMENT_PRESETS.bg], ['color', augmentSpec('color')]] as const) {
    const y = augmentPipe(x, p, spec);
    const [dx] = E.backprop([y], [dy], [x]);
    row(`${name} forward`, await time({ y }, { x: feeds.x, p: [0.6] }));
    row(`${name} forward + image gradient`, await time({ y, dx: dx! }, { ...feeds, p: [0.6] }));
  }
  // Stages of the geometric part, at the static margin (size - 1 on each side).
  const f = setupFilter([...WAVELETS.sym6]);
  const padded = E.pad(x, [[0, 0], [0, 0], [RES - 1, RES - 1], [RES - 1, RES - 1]], 'reflect');
  for (const [name, up] of [['polyphase', upsample2x(padded, WAVELETS.sym6)], ['transposed conv, 2-D filter', upsample2d(padded, f, 2)]] as const) {
    const [dxUp] = E.backprop([up], [E.input('dup', up.shape)], [x]);
    row(`reflect pad + 2x upsample (${name}) forward`, await time({ up }, { x: feeds.x }));
    row(`reflect pad + 2x upsample (${name}) gradient`, await time({ dx: dxUp! }, { dup: data(up.size, 3) }));
  }
  const up = upsample2x(padded, WAVELETS.sym6);
  const ho = (RES + 6) * 2;
  // A coherent grid as the pipeline makes: rotate by 0.3 rad and zoom by 1.2 about the centre.
  const grid = E.constant(Array.from({ length: BATCH * ho * ho }, (_, k) => {
    const [i, j] = [Math.floor(k / ho) % ho, k % ho];
    const [gx, gy] = [(2 * j + 1) / ho - 1, (2 * i + 1) / ho - 1];
    return [(Math.cos(0.3) * gx - Math.sin(0.3) * gy) / 1.2, (Math.sin(0.3) * gx + Math.cos(0.3) * gy) / 1.2];
  }).flat(), [BATCH, ho, ho, 2]);
  const u = E.input('u', up.shape);
  for (const [name, warp] of [['warpBilinear', warpBilinear], ['E.gridSample', E.gridSample]] as const) {
    const sampled = warp(u, grid);
    const [du] = E.backprop([sampled], [E.input('ds', sampled.shape)], [u]);
    row(`bilinear warp (${name}) forward`, await time({ sampled }, { u: data(up.size, 4) }));
    row(`bilinear warp (${name}) image gradient`, await time({ du: du! }, { u: data(up.size, 4), ds: data(sampled.size, 5) }));
  }
  await engine.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
