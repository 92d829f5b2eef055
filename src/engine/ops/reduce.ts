// Reductions over axes: mean, max, L2 norm (sum and sumToShape, which gradients need everywhere, are in base.ts).
import type { Tensor } from '../tensor.js';
import { reduceOver, reductionOp, where } from './base.js';
import { div, mul } from './elementwise.js';
import { equal } from './logic.js';

const MEAN = reductionOp('Mean', (_x, g, _y, count) => div(g, count));
const MAX = reductionOp('Max', (x, g, y) => where(equal(x, y()), g, 0));
const L2 = reductionOp('L2', (x, g, y) => mul(g, div(x, y())));

/** Mean over axes. @example mean(square(x), 1, true) */
export const mean = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduceOver(MEAN, x, axes, keepdims);
/** Maximum over axes. @example max(x, 1) */
export const max = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduceOver(MAX, x, axes, keepdims);
/** Euclidean norm over axes. @example l2(x, 1) */
export const l2 = (x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor => reduceOver(L2, x, axes, keepdims);
