// npm run bench:metrics: the costs behind the metrics, 2 threads: milliseconds per image of pytorch-fid's Inception
// (pool3 + logits of 256x256 images resized to 299, the fixture's random weights in the real architecture) at a few
// batch sizes; the float64 feature sums per image; FID's matrix square root at 2048 features; LPIPS-VGG per
// 256x256 pair, forward and with the gradient projection needs. Medians over BENCH_METRICS_REPS runs (default 3).
import { readFileSync } from 'node:fs';
import * as E from '../src/engine/index.js';
import { MeanCovStats } from '../src/metrics/feature-stats.js';
import { frechetDistance, type Gaussian } from '../src/metrics/fid.js';
import { OrtGemm64 } from '../src/metrics/gemm64.js';
import { Lpips, readLpipsLinear } from '../src/metrics/lpips.js';
import { FidInception, readInception } from '../src/metrics/nets/inception.js';
import { readVgg16 } from '../src/metrics/nets/vgg16.js';
import { createEngine } from '../src/node.js';
import { fixture } from '../tests/fixtures.js';

const reps = Number(process.env.BENCH_METRICS_REPS ?? 3);
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall and CPU milliseconds of `reps` runs of fn (after one warm-up run). */
async function time(fn: () => Promise<unknown>, n = reps): Promise<{ wall: number; cpu: number }> {
  await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const c0 = process.cpuUsage();
    await fn();
    wall.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: med(wall), cpu: med(cpu) };
}

const engine = createEngine({ threads: 2 });
const inception = new FidInception(readInception(readFileSync(fixture('fid-inception', 'pt_inception-random.pth'))));
for (const batch of [1, 8, 16]) {
  const prog = await engine.compile(inception.graph(E.input('x', [batch, 3, 256, 256])));
  const x = Float32Array.from({ length: batch * 3 * 256 * 256 }, (_, i) => (i * 37) % 256);
  const t = await time(() => prog.run({ x }));
  console.log(`Inception pool3 + logits, 256x256 -> 299, batch ${batch}: ${(t.wall / batch).toFixed(1)} ms/image (CPU ${(t.cpu / batch).toFixed(1)} ms/image)`);
  await prog.dispose();
}

const gemm = await OrtGemm64.create(engine);
const D = 2048;
/** Full-rank synthetic pool3-like features (non-negative, correlated): 4096 rows from a seeded generator. */
function features(seed: number, n: number): Float32Array {
  let a = seed >>> 0;
  const u = () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * D);
  for (let r = 0; r < n; r++) {
    const base = u();
    for (let i = 0; i < D; i++) x[r * D + i] = Math.max(0, base * Math.sin(i * 0.01) + u() - 0.3);
  }
  return x;
}
const gaussians: Gaussian[] = [];
let perImage = 0;
for (const seed of [1, 2]) {
  const x = features(seed, 4096);
  const sums = new MeanCovStats(4096, D, gemm.gemm);
  const t = performance.now();
  for (let r = 0; r < 4096; r += 256) await sums.append(x.subarray(r * D, (r + 256) * D), 256, D);
  await sums.finish();
  perImage = (performance.now() - t) / 4096;
  gaussians.push(sums.gaussian(0));
}
console.log(`FID feature sums (float64 X^T X, ${gemm.native ? 'onnxruntime' : 'JavaScript'}): ${perImage.toFixed(2)} ms/image`);
const f = await time(() => frechetDistance(gaussians[0]!, gaussians[1]!, gemm.gemm), 1);
console.log(`FID matrix square root at ${D} features, full rank (pivoted Cholesky, float64 products, eigenvalues): ${(f.wall / 1000).toFixed(1)} s (CPU ${(f.cpu / 1000).toFixed(1)} s)`);
await gemm.dispose();

const lpips = new Lpips(readVgg16(readFileSync(fixture('lpips-vgg', 'vgg16-features-random.pth')), false), readLpipsLinear(readFileSync(fixture('lpips-vgg', 'lpips-vgg-v0.1-lin.pth'))));
const pairs = 4;
const shape = [pairs, 3, 256, 256] as const;
const xi = E.input('x', shape);
const d = E.sum(lpips.distance(xi, E.input('y', shape)));
const [gx] = E.grad(d, [xi]);
const fwd = await engine.compile({ d });
const bwd = await engine.compile({ d, g: gx! });
const x = Float32Array.from({ length: pairs * 3 * 256 * 256 }, (_, i) => Math.sin(i * 0.01));
const y = Float32Array.from(x, (v, i) => v + 0.1 * Math.cos(i));
const tf = await time(() => fwd.run({ x, y }));
const tb = await time(() => bwd.run({ x, y }));
console.log(`LPIPS-VGG 256x256 (batch ${pairs}): ${(tf.wall / pairs).toFixed(0)} ms/pair forward (CPU ${(tf.cpu / pairs).toFixed(0)}), ${(tb.wall / pairs).toFixed(0)} ms/pair with the image gradient (CPU ${(tb.cpu / pairs).toFixed(0)})`);
await fwd.dispose();
await bwd.dispose();
await engine.dispose();
