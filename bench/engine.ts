// npm run bench:engine: forward and backward times of a 3x3 convolution (64x64x256 -> 256) and of a
// StyleGAN2-shaped stack, with the GFLOPS they reach, beside the official PyTorch figures (../shared/ENGINE.md);
// and Adam with its state in TypeScript arrays versus inside the graph.
import * as ort from 'onnxruntime-node';
import * as E from '../src/engine/index.js';
import { modulatedConv2d } from '../src/nets/ops/modulated-conv2d.js';
import { biasAct } from '../src/nets/ops/bias-act.js';

const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const ITERS = Number(process.env.BENCH_ITERS ?? 20);
const engine = new E.Engine({ ort: ort as unknown as E.OrtModule, threads: THREADS });

/** Deterministic test data (values in [-1, 1)). */
function data(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Median and minimum of `iters` timed runs after two warm-ups. */
async function time(outputs: Record<string, E.Tensor>, feeds: Record<string, E.Feed>, paramsAs: E.ParamsAs = 'inputs'): Promise<{ median: number; min: number }> {
  const p = await engine.compile(outputs, paramsAs);
  for (let i = 0; i < 2; i++) await p.run(feeds);
  const ts: number[] = [];
  for (let i = 0; i < ITERS; i++) {
    const t = performance.now();
    await p.run(feeds);
    ts.push(performance.now() - t);
  }
  await p.dispose();
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)]!, min: ts[0]! };
}

function row(name: string, r: { median: number; min: number }, gflop: number, official?: number): void {
  const cells = [name.padEnd(46), r.median.toFixed(1).padStart(8), r.min.toFixed(1).padStart(8), (gflop / (r.median / 1000)).toFixed(0).padStart(7), official === undefined ? '' : `${official}`.padStart(9)];
  console.log(cells.join('  '));
}

async function main(): Promise<void> {
  console.log(`onnxruntime-node ${ort.env.versions.node}, ${THREADS} threads, ${ITERS} runs (median, min in ms; GFLOPS at the median)`);
  console.log(`${'work'.padEnd(46)}  ${'median'.padStart(8)}  ${'min'.padStart(8)}  ${'GFLOPS'.padStart(7)}  ${'PyTorch'.padStart(9)}`);
  // 3x3 convolution, 64x64x256 -> 256, batch 1 (weights fed as inputs, as in training).
  const [C, H] = [256, 64];
  const flop = 2 * H * H * C * C * 9 / 1e9;
  const x = E.input('x', [1, C, H, H]);
  const w = new E.Parameter('w', [C, C, 3, 3], data(C * C * 9, 1));
  const y = E.conv2d(x, w.tensor, { padding: 1 });
  const dy = E.input('dy', [1, C, H, H]);
  const [dx, dw] = E.backprop([y], [dy], [x, w.tensor]);
  const xv = data(C * H * H, 2);
  const dyv = data(C * H * H, 3);
  row('conv 3x3 forward (weight fed)', await time({ y }, { x: xv }), flop, 37);
  row('conv 3x3 forward (weight baked in)', await time({ y }, { x: xv }, 'initializers'), flop);
  row('conv 3x3 input gradient (weight fed: training)', await time({ dx: dx! }, { dy: dyv }), flop, 24);
  row('conv 3x3 input gradient (weight baked: DragGAN)', await time({ dx: dx! }, { dy: dyv }, 'initializers'), flop, 24);
  row('conv 3x3 filter gradient (patches x matmul)', await time({ dw: dw! }, { x: xv, dy: dyv }), flop, 28);

  // A StyleGAN2-shaped stack: four modulated 3x3 conv layers with noise, bias, lrelu and clamp at 64x64x256.
  const styles = E.input('s', [1, C]);
  const layers = [0, 1, 2, 3].map((i) => ({ w: new E.Parameter(`w${i}`, [C, C, 3, 3], data(C * C * 9, 10 + i)), b: new E.Parameter(`b${i}`, [C], data(C, 20 + i)) }));
  const noise = E.constant(data(H * H, 5), [H, H]);
  let h = x;
  for (const l of layers) {
    h = modulatedConv2d(h, l.w.tensor, E.add(styles, 1.5), { padding: 1, noise: E.mul(noise, 0.1) });
    h = biasAct(h, { b: l.b.tensor, act: 'lrelu', clamp: 256 });
  }
  const loss = E.mean(E.square(h));
  const grads = E.grad(loss, [x, styles, ...layers.flatMap((l) => [l.w.tensor, l.b.tensor])]);
  const sv = data(C, 6);
  row('stack of 4 modulated convs: forward', await time({ h }, { x: xv, s: sv }), 4 * flop);
  row('stack of 4 modulated convs: forward + backward', await time(Object.fromEntries(grads.map((g, i) => [`g${i}`, g])), { x: xv, s: sv }), 12 * flop);

  // Adam on 25M parameters: state in TypeScript vs the update as graph ops.
  const n = 25_000_000;
  const param = new E.Parameter('p', [n], data(n, 7));
  const g = data(n, 8);
  const opt = new E.Adam([param], { lr: 1e-3, betas: [0, 0.99] });
  opt.step([g]);
  let t = performance.now();
  for (let i = 0; i < 3; i++) opt.step([g]);
  const tsMs = (performance.now() - t) / 3;
  const o = E.validateAdamOptions({ lr: 1e-3, betas: [0, 0.99] });
  const st = { param: E.input('p0', [n]), grad: E.input('g', [n]), m: E.input('m0', [n]), v: E.input('v0', [n]) };
  const prog = await engine.compile(E.adamGraphStep(st, o, E.input('stepSize', []), E.input('bc2', [])));
  let state: Record<"p" | "m" | "v", Float32Array> = { p: param.data, m: new Float32Array(n), v: new Float32Array(n) };
  const step = async (k: number) => {
    const sc = E.adamScalars(o, k);
    const out = await prog.run({ p0: state.p, g, m0: state.m, v0: state.v, stepSize: [sc.stepSize], bc2: [sc.bc2Sqrt] });
    state = { p: out.param!.data, m: out.m!.data, v: out.v!.data };
  };
  await step(1);
  t = performance.now();
  for (let i = 0; i < 3; i++) await step(i + 2);
  const graphMs = (performance.now() - t) / 3;
  await prog.dispose();
  console.log(`Adam step, 25M parameters: state in TypeScript ${tsMs.toFixed(0)} ms, in the graph ${graphMs.toFixed(0)} ms`);
  await engine.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
