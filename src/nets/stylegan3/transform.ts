// The user transform of StyleGAN3's input, as gen_images.py sets it: make_transform(translate, angle), then
// its inverse (np.linalg.inv) stored in `synthesis.input.transform`.
import { InputError } from '../../errors.js';

/**
 * gen_images.py make_transform: rotation by `angle` degrees and translation, a 3x3 row-major matrix (float64).
 * @example makeTransform([0.25, -0.1], 0) // [1, 0, 0.25, 0, 1, -0.1, 0, 0, 1]
 */
export function makeTransform(translate: readonly [number, number], angle: number): Float64Array {
  const s = Math.sin((angle / 360.0) * Math.PI * 2);
  const c = Math.cos((angle / 360.0) * Math.PI * 2);
  return Float64Array.of(c, s, translate[0], -s, c, translate[1], 0, 0, 1);
}

/**
 * The inverse of a 3x3 row-major matrix (adjugate over determinant), with an error for a singular one.
 * @example invert3x3(makeTransform([0.25, 0], 30))
 */
export function invert3x3(m: ArrayLike<number>): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = Array.from(m) as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new InputError('the input transform is singular (not invertible)');
  return Float64Array.of(A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det);
}

/**
 * The matrix gen_images.py --translate X,Y --rotate DEG stores in the input: inv(make_transform), as float32.
 * @example await G.synthesis(ws, { transform: inputTransform([0.25, -0.1], 0) });
 */
export function inputTransform(translate: readonly [number, number], rotateDegrees: number): Float32Array {
  if (![translate[0], translate[1], rotateDegrees].every(Number.isFinite)) throw new InputError(`translate and rotate must be finite numbers, got ${translate.join(',')} and ${rotateDegrees}`);
  return Float32Array.from(invert3x3(makeTransform(translate, rotateDegrees)));
}
