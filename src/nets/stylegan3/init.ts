// Tensor names, shapes and the official initialisation of a StyleGAN3 generator (training/networks_stylegan3.py):
// weights ~ N(0, 1) (divided by the lr multiplier in the mapping), input affine at identity (weight 0, bias
// [1, 0, 0, 0]), Fourier frequencies drawn from a disc of radius `bandwidth`, phases uniform in [-0.5, 0.5),
// magnitude EMAs 1, and the designed low-pass filters as buffers.
import type { TensorData } from '../../io/tensor.js';
import { fastNormals } from '../../random/normal.js';
import { RandomState } from '../../random/numpy-random.js';
import { filterShape, type GeneratorConfig3, layerFilters, synthesisPlan } from './config.js';
import type { LowpassFilter } from './filters.js';

type Init3 = { kind: 'randn'; scale: number } | { kind: 'const'; value: number } | { kind: 'values'; data: Float32Array } | { kind: 'freqs'; bandwidth: number } | { kind: 'phases' };

/** One tensor of a StyleGAN3 generator: official name, shape, how it starts, and whether it is a buffer. */
export interface ParamSpec3 {
  name: string;
  shape: number[];
  init: Init3;
  buffer?: boolean;
}

const randn = (scale = 1): Init3 => ({ kind: 'randn', scale });
const fill = (value: number): Init3 => ({ kind: 'const', value });

function fc(out: ParamSpec3[], name: string, inF: number, outF: number, o: { lr?: number; weightInit?: number; biasInit?: number[] | number } = {}): void {
  const lr = o.lr ?? 1;
  const wi = o.weightInit ?? 1;
  out.push({ name: `${name}.weight`, shape: [outF, inF], init: wi === 0 ? fill(0) : randn(wi / lr) });
  const b = o.biasInit ?? 0;
  out.push({ name: `${name}.bias`, shape: [outF], init: typeof b === 'number' ? fill(b / lr) : { kind: 'values', data: Float32Array.from(b, (v) => v / lr) } });
}

function filterValues(f: LowpassFilter): Float32Array {
  return f === null ? Float32Array.of(1) : f.kind === 'separable' ? f.taps : f.kernel.data;
}

/**
 * Every tensor of a StyleGAN3 generator, in PyTorch's state_dict order.
 * @example generator3Specs(cfg).map((p) => p.name) // ['synthesis.input.weight', 'synthesis.input.transform', ...]
 */
export function generator3Specs(cfg: GeneratorConfig3): ParamSpec3[] {
  const out: ParamSpec3[] = [];
  const s = cfg.synthesis;
  const plan = synthesisPlan(s);
  const C = plan.input.channels;
  out.push({ name: 'synthesis.input.weight', shape: [C, C], init: randn() });
  out.push({ name: 'synthesis.input.transform', shape: [3, 3], init: { kind: 'values', data: Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1) }, buffer: true });
  out.push({ name: 'synthesis.input.freqs', shape: [C, 2], init: { kind: 'freqs', bandwidth: plan.input.bandwidth }, buffer: true });
  out.push({ name: 'synthesis.input.phases', shape: [C], init: { kind: 'phases' }, buffer: true });
  fc(out, 'synthesis.input.affine', s.wDim, 4, { weightInit: 0, biasInit: [1, 0, 0, 0] });
  for (const l of plan.layers) {
    const p = `synthesis.${l.name}`;
    out.push({ name: `${p}.weight`, shape: [l.outChannels, l.inChannels, l.convKernel, l.convKernel], init: randn() });
    out.push({ name: `${p}.bias`, shape: [l.outChannels], init: fill(0) });
    out.push({ name: `${p}.magnitude_ema`, shape: [], init: fill(1), buffer: true });
    const f = layerFilters(l);
    if (f.up) out.push({ name: `${p}.up_filter`, shape: filterShape(l.upTaps, false), init: { kind: 'values', data: filterValues(f.up) }, buffer: true });
    if (f.down) out.push({ name: `${p}.down_filter`, shape: filterShape(l.downTaps, l.downRadial), init: { kind: 'values', data: filterValues(f.down) }, buffer: true });
    fc(out, `${p}.affine`, s.wDim, l.inChannels, { biasInit: 1 });
  }
  const m = cfg.mapping;
  out.push({ name: 'mapping.w_avg', shape: [m.wDim], init: fill(0), buffer: true });
  if (m.cDim > 0) fc(out, 'mapping.embed', m.cDim, m.wDim);
  for (let i = 0; i < m.numLayers; i++) fc(out, `mapping.fc${i}`, i === 0 ? m.zDim + (m.cDim > 0 ? m.wDim : 0) : m.wDim, m.wDim, { lr: m.lrMultiplier });
  return out;
}

/**
 * Tensors initialised as the official constructors do, from a seeded generator (reproducible, not torch's stream).
 * @example const tensors = initialize3(generator3Specs(cfg), 0);
 */
export function initialize3(specs: readonly ParamSpec3[], seed: number): Map<string, TensorData> {
  const rs = new RandomState(seed);
  const out = new Map<string, TensorData>();
  for (const p of specs) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    const init = p.init;
    if (init.kind === 'randn') data = fastNormals(rs, n).map((v) => v * init.scale);
    else if (init.kind === 'const') data = new Float32Array(n).fill(init.value);
    else if (init.kind === 'values') data = Float32Array.from(init.data);
    else if (init.kind === 'phases') data = Float32Array.from(rs.randomSamples(n), (v) => v - 0.5);
    else {
      // Frequencies uniform in a disc: normalise Gaussian pairs, shrink by exp(r^2)^(1/4), scale to the bandwidth.
      const g = fastNormals(rs, n);
      data = new Float32Array(n);
      for (let c = 0; c < n / 2; c++) {
        const r = Math.hypot(g[2 * c]!, g[2 * c + 1]!);
        const d = r * Math.exp(r * r) ** 0.25;
        data[2 * c] = (g[2 * c]! / d) * init.bandwidth;
        data[2 * c + 1] = (g[2 * c + 1]! / d) * init.bandwidth;
      }
    }
    out.set(p.name, { dtype: 'float32', shape: [...p.shape], data });
  }
  return out;
}
