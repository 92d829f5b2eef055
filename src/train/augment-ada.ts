// ADA's adaptive augmentation strength (training_loop.py): the overfitting heuristic r_t = E[sign(D(real))]
// is gathered over `interval` steps, then p moves by sign(r_t - target) * (batch * interval) / (kimg * 1000),
// so that p can go from 0 to 1 in `kimg` thousand images; p never goes below 0.
import { InputError } from '../errors.js';

export interface AdaControllerOptions {
  /** Target value of r_t = E[sign(D(real))] (official ada_target, `--target`, default 0.6). */
  target?: number;
  /** Adjust p every this many steps (official ada_interval, default 4). */
  interval?: number;
  /** Thousands of images over which p can go from 0 to 1 (official ada_kimg, default 500). */
  kimg?: number;
  /** Images per step (the total batch). */
  batch: number;
  /** Initial p (official augment_p, default 0). */
  p?: number;
}

const finiteAtLeast = (name: string, v: number, min: number, strict: boolean): number => {
  if (!Number.isFinite(v) || (strict ? v <= min : v < min)) throw new InputError(`AdaController: ${name} must be a number ${strict ? '>' : '>='} ${min}, got ${v}`);
  return v;
};

/**
 * Steers the augmentation probability p towards the target overfitting measure, as the official loop.
 * Call `observe(realLogits)` wherever D sees reals (both the main and the R1 phases report them officially),
 * then `afterStep()` once per training step. Serialisable, so a resumed run keeps p and its pending statistics.
 * @example
 * const ada = new AdaController({ batch: 32 });
 * ada.observe(realLogits); ada.afterStep(); feeds.augment_p = [ada.p];
 */
export class AdaController {
  readonly target: number;
  readonly interval: number;
  readonly kimg: number;
  readonly batch: number;
  /** The current augmentation probability multiplier. */
  p: number;
  /** Steps since the start (the official batch_idx; p is adjusted when it reaches a multiple of `interval`). */
  private steps = 0;
  private signSum = 0;
  private signCount = 0;

  constructor(o: AdaControllerOptions) {
    this.target = finiteAtLeast('target', o.target ?? 0.6, -1, false);
    this.interval = finiteAtLeast('interval', o.interval ?? 4, 0, true);
    if (!Number.isInteger(this.interval)) throw new InputError(`AdaController: interval must be a whole number of steps, got ${this.interval}`);
    this.kimg = finiteAtLeast('kimg', o.kimg ?? 500, 0, true);
    this.batch = finiteAtLeast('batch', o.batch, 0, true);
    this.p = finiteAtLeast('p', o.p ?? 0, 0, false);
  }

  /** Adds D's logits for real images to the running mean of their signs. */
  observe(realLogits: ArrayLike<number>): void {
    for (let i = 0; i < realLogits.length; i++) this.signSum += Math.sign(realLogits[i]!);
    this.signCount += realLogits.length;
  }

  /** The mean of sign(D(real)) gathered since the last adjustment (NaN when nothing was observed). */
  get rt(): number {
    return this.signCount ? this.signSum / this.signCount : NaN;
  }

  /** Counts one training step; every `interval` steps moves p by ±(batch * interval) / (kimg * 1000) and resets the statistics. */
  afterStep(): void {
    this.steps++;
    if (this.steps % this.interval !== 0) return;
    // With no observations the official mean is NaN; we leave p as it is.
    if (this.signCount > 0) {
      const adjust = (Math.sign(this.rt - this.target) * (this.batch * this.interval)) / (this.kimg * 1000);
      this.p = Math.max(this.p + adjust, 0);
    }
    this.signSum = 0;
    this.signCount = 0;
  }

  /** Plain data for snapshots. */
  toJSON(): { target: number; interval: number; kimg: number; batch: number; p: number; steps: number; signSum: number; signCount: number } {
    return { target: this.target, interval: this.interval, kimg: this.kimg, batch: this.batch, p: this.p, steps: this.steps, signSum: this.signSum, signCount: this.signCount };
  }

  /**
   * Restores a controller saved with `toJSON` (validating it), e.g. from a snapshot's training state.
   * @example const ada = AdaController.fromJSON(JSON.parse(text).ada);
   */
  static fromJSON(o: object): AdaController {
    const r = o as Record<string, unknown>;
    const num = (k: string, fallback?: number): number => {
      const v = r[k] ?? fallback;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`AdaController state: '${k}' must be a finite number, got ${JSON.stringify(r[k])}`);
      return v;
    };
    const ada = new AdaController({ target: num('target'), interval: num('interval'), kimg: num('kimg'), batch: num('batch'), p: num('p') });
    ada.steps = finiteAtLeast('steps', num('steps', 0), 0, false);
    ada.signSum = num('signSum', 0);
    ada.signCount = finiteAtLeast('signCount', num('signCount', 0), 0, false);
    return ada;
  }
}
