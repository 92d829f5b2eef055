// The projector's treatment of StyleGAN2's noise buffers (projector.py): the regulariser that penalises spatial
// autocorrelation at every scale of a 2x average-pooling pyramid, and the renormalisation to zero mean and unit
// variance after each step. `noiseRegularization` is the graph (differentiated with the rest of the step);
// `noiseRegularizationRef` the same sum in float64 TypeScript (tests compare them).
import * as E from '../engine/index.js';
import { InputError } from '../errors.js';

/** torch.roll(x, shifts=1, dims=axis): the last slice moves to the front. */
function roll1(x: E.Tensor, axis: number): E.Tensor {
  const n = x.shape[axis]!;
  return E.concat([E.slice(x, [{ axis, start: n - 1, end: n }]), E.slice(x, [{ axis, start: 0, end: n - 1 }])], axis);
}

/** F.avg_pool2d(x, kernel_size=2) of x [1, 1, H, W] (H, W even). */
function avgPool2(x: E.Tensor): E.Tensor {
  const [, , H, W] = x.shape as number[];
  return E.mean(E.reshape(x, [1, 1, H! / 2, 2, W! / 2, 2]), [3, 5]);
}

/**
 * sum over buffers and pyramid levels of mean(n * roll(n, 1, W))^2 + mean(n * roll(n, 1, H))^2, halving each
 * buffer by 2x2 average pooling until it is 8 pixels high or less (projector.py's reg_loss).
 * @example const reg = noiseRegularization([E.input('n', [1, 1, 16, 16])]); // levels 16 and 8
 */
export function noiseRegularization(buffers: readonly E.Tensor[]): E.Tensor {
  let reg: E.Tensor = E.constant(0);
  for (const v of buffers) {
    if (v.rank !== 4 || v.shape[0] !== 1 || v.shape[1] !== 1) throw new InputError(`noise regularisation: expected a buffer [1, 1, H, W], got [${v.shape}]`);
    let noise = v; // [1, 1, H, W]
    for (;;) {
      reg = E.add(reg, E.square(E.mean(E.mul(noise, roll1(noise, 3)))));
      reg = E.add(reg, E.square(E.mean(E.mul(noise, roll1(noise, 2)))));
      if (noise.shape[2]! <= 8) break;
      noise = avgPool2(noise);
    }
  }
  return reg;
}

/** One noise buffer: its values [H * W] row-major and its size. */
export interface NoiseBuffer {
  data: Float32Array;
  height: number;
  width: number;
}

/**
 * The regulariser of noiseRegularization in float64 TypeScript, for buffers given as plain arrays.
 * @example noiseRegularizationRef([{ data, height: 16, width: 16 }])
 */
export function noiseRegularizationRef(buffers: readonly NoiseBuffer[]): number {
  let reg = 0;
  for (const b of buffers) {
    let [h, w] = [b.height, b.width];
    let n = Float64Array.from(b.data);
    for (;;) {
      let sx = 0;
      let sy = 0;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const v = n[y * w + x]!;
          sx += v * n[y * w + ((x + w - 1) % w)]!; // roll along W: the neighbour to the left, wrapping
          sy += v * n[((y + h - 1) % h) * w + x]!;
        }
      reg += (sx / (h * w)) ** 2 + (sy / (h * w)) ** 2;
      if (h <= 8) break;
      const p = new Float64Array((h / 2) * (w / 2));
      for (let y = 0; y < h / 2; y++)
        for (let x = 0; x < w / 2; x++) p[y * (w / 2) + x] = (n[2 * y * w + 2 * x]! + n[2 * y * w + 2 * x + 1]! + n[(2 * y + 1) * w + 2 * x]! + n[(2 * y + 1) * w + 2 * x + 1]!) / 4;
      [n, h, w] = [p, h / 2, w / 2];
    }
  }
  return reg;
}

/**
 * In place: buf -= buf.mean(); buf *= buf.square().mean().rsqrt() (projector.py's "Normalize noise"), in float32
 * arithmetic with float64 sums.
 * @example renormalizeNoise(buffer.data)
 */
export function renormalizeNoise(buf: Float32Array): void {
  let sum = 0;
  for (const v of buf) sum += v;
  const mean = Math.fround(sum / buf.length);
  let sq = 0;
  for (let i = 0; i < buf.length; i++) {
    buf[i] = buf[i]! - mean;
    sq += buf[i]! * buf[i]!;
  }
  const scale = Math.fround(1 / Math.sqrt(sq / buf.length));
  for (let i = 0; i < buf.length; i++) buf[i] = buf[i]! * scale;
}
