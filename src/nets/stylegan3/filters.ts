// Low-pass filter design of StyleGAN3 (training/networks_stylegan3.py SynthesisLayer.design_lowpass_filter):
// a Kaiser-windowed sinc as scipy.signal.firwin designs it (separable, 1-D taps), or a radially symmetric
// jinc with a separable Kaiser window (2-D taps). Computed in float64, stored as float32 like the official buffers.
import { InputError } from '../../errors.js';
import type { Filter } from '../ops/upfirdn2d.js';

/** A designed filter: 1-D taps (applied along both axes) or a 2-D kernel; null is the identity (one tap). */
export type LowpassFilter = { kind: 'separable'; taps: Float32Array } | { kind: 'radial'; kernel: Filter } | null;

/**
 * The modified Bessel function of the first kind, order 0 (power series; converges for every x).
 * @example besselI0(0) // 1
 */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500 && term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

/**
 * The Bessel function of the first kind, order 1: J1(x) = (1/2pi) * integral over [0, 2pi] of cos(t - x sin t),
 * by the trapezoid rule, which converges geometrically for this periodic analytic integrand once the number
 * of points exceeds |x|.
 */
export function besselJ1(x: number): number {
  const n = 2 * Math.ceil(Math.abs(x)) + 64;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    sum += Math.cos(t - x * Math.sin(t));
  }
  return sum / n;
}

/**
 * scipy.signal.kaiser_atten: attenuation (dB) of a Kaiser FIR filter of `numtaps` and transition `width` (relative to Nyquist).
 * @example kaiserBeta(kaiserAtten(12, 12 / 16)) // 6.4437...
 */
export function kaiserAtten(numtaps: number, width: number): number {
  return 2.285 * (numtaps - 1) * Math.PI * width + 7.95;
}

/**
 * scipy.signal.kaiser_beta: the Kaiser window's beta for an attenuation in dB.
 * @example kaiserBeta(60) // 5.653
 */
export function kaiserBeta(atten: number): number {
  if (atten > 50) return 0.1102 * (atten - 8.7);
  if (atten > 21) return 0.5842 * (atten - 21) ** 0.4 + 0.07886 * (atten - 21);
  return 0;
}

/**
 * numpy.kaiser(M, beta): the symmetric Kaiser window.
 * @example kaiserWindow(12, 6.4437)[0] // I0(0) / I0(6.4437)
 */
export function kaiserWindow(m: number, beta: number): Float64Array {
  const alpha = (m - 1) / 2;
  const i0b = besselI0(beta);
  return Float64Array.from({ length: m }, (_, n) => (m === 1 ? 1 : besselI0(beta * Math.sqrt(Math.max(0, 1 - ((n - alpha) / alpha) ** 2))) / i0b));
}

const sinc = (x: number): number => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));

/**
 * scipy.signal.firwin(numtaps, cutoff, width=width, fs=fs): a low-pass Kaiser-windowed sinc scaled to unit DC gain.
 * @example firwin(12, 2, 12, 32) // [0.0007919, 0.01001832, 0.03894952, 0.09241279, ...] (float64)
 */
export function firwin(numtaps: number, cutoff: number, width: number, fs: number): Float64Array {
  const nyq = fs / 2;
  const c = cutoff / nyq;
  const beta = kaiserBeta(kaiserAtten(numtaps, width / nyq));
  const win = kaiserWindow(numtaps, beta);
  const alpha = 0.5 * (numtaps - 1);
  const h = Float64Array.from({ length: numtaps }, (_, n) => c * sinc(c * (n - alpha)) * win[n]!);
  const s = h.reduce((a, b) => a + b, 0);
  return h.map((v) => v / s);
}

/**
 * The radially symmetric jinc filter [numtaps, numtaps] with a separable Kaiser window, normalised to sum 1.
 * @example radialLowpass(12, 2, 12, 32).length // 144
 */
export function radialLowpass(numtaps: number, cutoff: number, width: number, fs: number): Float64Array {
  const x = Float64Array.from({ length: numtaps }, (_, i) => (i - (numtaps - 1) / 2) / fs);
  const beta = kaiserBeta(kaiserAtten(numtaps, width / (fs / 2)));
  const w = kaiserWindow(numtaps, beta);
  const f = new Float64Array(numtaps * numtaps);
  for (let i = 0; i < numtaps; i++) {
    for (let j = 0; j < numtaps; j++) {
      const r = Math.hypot(x[j]!, x[i]!);
      // jinc: J1(2 pi fc r) / (pi r), whose limit at r = 0 is fc.
      const v = r === 0 ? cutoff : besselJ1(2 * cutoff * (Math.PI * r)) / (Math.PI * r);
      f[i * numtaps + j] = v * w[i]! * w[j]!;
    }
  }
  const s = f.reduce((a, b) => a + b, 0);
  return f.map((v) => v / s);
}

/**
 * design_lowpass_filter(numtaps, cutoff, width, fs, radial): null for one tap (identity), else the filter in float32.
 * @example designLowpassFilter(12, 2, 12, 32) // { kind: 'separable', taps: Float32Array(12) }
 */
export function designLowpassFilter(numtaps: number, cutoff: number, width: number, fs: number, radial = false): LowpassFilter {
  if (!Number.isInteger(numtaps) || numtaps < 1) throw new InputError(`design_lowpass_filter: numtaps must be a positive integer, got ${numtaps}`);
  if (numtaps === 1) return null;
  if (!(cutoff > 0 && cutoff < fs / 2)) throw new InputError(`design_lowpass_filter: cutoff ${cutoff} must lie in (0, fs/2 = ${fs / 2})`);
  if (!radial) return { kind: 'separable', taps: Float32Array.from(firwin(numtaps, cutoff, width, fs)) };
  return { kind: 'radial', kernel: { data: Float32Array.from(radialLowpass(numtaps, cutoff, width, fs)), shape: [numtaps, numtaps] } };
}

/**
 * The filter as a 2-D kernel (outer product for separable taps; [1, 1] of 1 for the identity).
 * @example filter2d(designLowpassFilter(12, 2, 12, 32)).shape // [12, 12]
 */
export function filter2d(f: LowpassFilter): Filter {
  if (f === null) return { data: Float32Array.of(1), shape: [1, 1] };
  if (f.kind === 'radial') return f.kernel;
  const k = f.taps.length;
  const data = new Float32Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) data[i * k + j] = f.taps[i]! * f.taps[j]!;
  return { data, shape: [k, k] };
}

/**
 * Number of taps along each axis (1 for the identity).
 * @example filterTaps(null) // 1
 */
export function filterTaps(f: LowpassFilter): number {
  return f === null ? 1 : f.kind === 'separable' ? f.taps.length : f.kernel.shape[0];
}
