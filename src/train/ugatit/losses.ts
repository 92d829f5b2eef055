// The losses of UGATIT.py: nn.MSELoss (LSGAN), nn.L1Loss (cycle, identity), nn.BCEWithLogitsLoss (CAM), all means.
import * as E from '../../engine/index.js';

/** mean((x - target)^2) with a constant target (torch.ones_like / zeros_like). */
export const mseLoss = (x: E.Tensor, target: number): E.Tensor => E.mean(E.square(E.sub(x, target)));

/** mean(|x - y|). */
export const l1Loss = (x: E.Tensor, y: E.Tensor): E.Tensor => E.mean(E.abs(E.sub(x, y)));

/** mean(softplus(x) - x * target): binary cross-entropy on logits with a constant target. */
export const bceWithLogits = (x: E.Tensor, target: number): E.Tensor => E.mean(target === 0 ? E.softplus(x) : E.sub(E.softplus(x), E.mul(x, target)));

/** Sum of tensors. */
export const total = (ts: readonly E.Tensor[]): E.Tensor => ts.reduce((a, b) => E.add(a, b));
