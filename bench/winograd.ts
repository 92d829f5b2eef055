// npm run bench:winograd: one 3x3 stride-1 convolution with a constant weight (the StyleGAN3 fast path's conv,
// padding 2) as onnxruntime's Conv versus Winograd F(2x2,3x3) and F(4x4,3x3) (src/nets/ops/winograd.ts), on
// layer shapes of StyleGAN3-T 256. Runs are interleaved (conv, F2, F4, conv, ...) so that load on a shared
// machine hits every variant alike; prints median wall and process CPU milliseconds per call, and the
// largest deviation from the conv. BENCH_ITERS (default 5), BENCH_THREADS (default 2), BENCH_SHAPES
// ("148x512x512,276x181x128": size x in x out channels).
import * as E from '../src/engine/index.js';
import { winogradConv2d } from '../src/nets/ops/winograd.js';
import { createEngine } from '../src/node.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function randn(n: number, scale: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const u = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()) * scale);
}

async function main(): Promise<void> {
  const iters = Number(process.env.BENCH_ITERS ?? 5);
  const threads = Number(process.env.BENCH_THREADS ?? 2);
  const shapes = (process.env.BENCH_SHAPES ?? '148x512x512,276x181x128').split(',').map((s) => s.split('x').map(Number) as [number, number, number]);
  const engine = createEngine({ threads });
  console.log(`3x3 conv, padding 2, batch 1, ${threads} threads, median of ${iters} interleaved runs (ms per call)`);
  console.log('shape                 variant  wall ms  CPU ms  max |diff| / max |y|');
  for (const [S, I, O] of shapes) {
    const x = E.input('x', [1, I, S, S]);
    const w = E.constant(randn(O * I * 9, 1 / Math.sqrt(I * 9), 1), [O, I, 3, 3]);
    const variants = { conv: E.conv2d(x, w, { padding: 2 }), F2: winogradConv2d(x, w, { padding: 2, m: 2 }), F4: winogradConv2d(x, w, { padding: 2, m: 4 }) };
    const progs = Object.fromEntries(await Promise.all(Object.entries(variants).map(async ([k, y]) => [k, await engine.compile({ y })] as const)));
    const feed = { x: randn(I * S * S, 1, 2) };
    const outs: Record<string, Float32Array> = {};
    for (const [k, p] of Object.entries(progs)) outs[k] = (await p.run(feed)).y!.data as Float32Array; // warm-up
    const wall: Record<string, number[]> = {};
    const cpu: Record<string, number[]> = {};
    for (let it = 0; it < iters; it++) {
      for (const [k, p] of Object.entries(progs)) {
        const c0 = process.cpuUsage();
        const t = performance.now();
        await p.run(feed);
        (wall[k] ??= []).push(performance.now() - t);
        const c = process.cpuUsage(c0);
        (cpu[k] ??= []).push((c.user + c.system) / 1000);
      }
    }
    const ref = outs.conv!;
    const peak = ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    for (const k of Object.keys(progs)) {
      const diff = outs[k]!.reduce((a, v, i) => Math.max(a, Math.abs(v - ref[i]!)), 0);
      console.log([`${S}x${S}x${I}->${O}`.padEnd(21), k.padEnd(8), median(wall[k]!).toFixed(0).padEnd(8), median(cpu[k]!).toFixed(0).padEnd(7), (diff / peak).toExponential(1)].join(' '));
    }
    for (const p of Object.values(progs)) await p.dispose();
  }
  await engine.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
