// A DragSession as the web app edits it: every edit (points, a mask stroke, a reset) and every finished run is one
// undo step, while DragSession itself records one state per step. The editor keeps the list of edits, how many
// session states each pushed, and the mask after each (DragSession does not hand its mask back). Platform-neutral.
import { type DragSessionOptions, DragSession, type Point } from '../drag/session.js';
import { InputError } from '../errors.js';
import type { Generator } from '../models/generator.js';
import { toUint8Image } from '../models/generate.js';
import { type DragEdit, type DragSettings, type DragState, type DragStepResult, LIMITS, type Picture } from './protocol.js';

/** One undo step: how many session states it pushed, and the mask in force after it. */
interface Edit {
  kind: 'points' | 'mask' | 'reset' | 'run';
  pushes: number;
  mask: Uint8Array | null;
  /** A run still taking steps (later steps join it). */
  open: boolean;
}

/** Most undo steps kept; older ones are forgotten (the session keeps as many states as these need). */
const MAX_EDITS = 200;
/** Session states kept: enough for MAX_EDITS edits with long runs. */
const SESSION_HISTORY = 20_000;

/** An image [1, C, R, R] in [-1, 1] as a Picture, converted as gen_images.py. */
export function pictureOf(img: Float32Array, G: Pick<Generator, 'imgChannels' | 'imgResolution'>): Picture {
  const { imgChannels: C, imgResolution: R } = G;
  return { width: R, height: R, channels: C, data: toUint8Image(img, C, R, R) };
}

const distancesOf = (handles: readonly Point[], targets: readonly Point[]): number[] => handles.map((p, i) => Math.hypot(targets[i]![0] - p[0], targets[i]![1] - p[1]));

/** DragSession options from the app's settings. */
function sessionOptions(s: DragSettings): DragSessionOptions {
  const o: DragSessionOptions = { wSpace: s.wSpace, lr: s.lr, lambdaMask: s.lambdaMask, r2: s.r2, historyLimit: SESSION_HISTORY };
  if (s.r1 !== null) o.r1 = s.r1;
  return o;
}

/**
 * A drag session with the app's undo steps.
 * @example const ed = await DragEditor.open(G, { seed: 0, psi: 0.7 }, DRAG_DEFAULTS); await ed.edit({ op: 'points', handles, targets }); await ed.step();
 */
export class DragEditor {
  private edits: Edit[] = [];
  private at = 0;

  private constructor(
    readonly G: Generator,
    private session: DragSession,
    private settings: DragSettings,
  ) {}

  /** Opens a session from a seed (psi) or a latent ws. */
  static async open(G: Generator, start: { seed: number; psi: number } | { latent: Float32Array }, settings: DragSettings): Promise<DragEditor> {
    const session = await DragSession.create(G, start, sessionOptions(settings));
    return new DragEditor(G, session, { ...settings });
  }

  /** The mask in force: that of the last applied mask edit. */
  private get mask(): Uint8Array | null {
    for (let i = this.at - 1; i >= 0; i--) if (this.edits[i]!.kind === 'mask') return this.edits[i]!.mask;
    return this.base;
  }

  /** The mask carried over when the session was re-created (settings change), below every edit. */
  private base: Uint8Array | null = null;

  private record(kind: Edit['kind'], pushes: number, mask: Uint8Array | null, open = false): void {
    this.closeRun();
    this.edits = this.edits.slice(0, this.at);
    this.edits.push({ kind, pushes, mask, open });
    // Forget the oldest undo steps (their session states stay, harmlessly, until the session drops them).
    if (this.edits.length > MAX_EDITS) this.edits.shift();
    this.at = this.edits.length;
  }

  /** Ends the open run, if any: later steps start a new undo step. */
  closeRun(): void {
    const top = this.edits[this.at - 1];
    if (top?.open) top.open = false;
  }

  private checkMask(mask: Uint8Array): Float32Array {
    const R = this.G.imgResolution;
    if (mask.length !== R * R) throw new InputError(`the mask has ${mask.length} values but the image is ${R}x${R} (${R * R})`);
    const f = new Float32Array(mask.length);
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] !== 0 && mask[i] !== 1) throw new InputError(`mask values must be 0 or 1, got ${mask[i]} at ${i}`);
      f[i] = mask[i]!;
    }
    return f;
  }

  /**
   * Applies one edit. Settings other than the learning rate re-create the session from the current latent (points and
   * mask kept), which starts a new undo history.
   */
  async edit(e: DragEdit): Promise<DragState> {
    const s = this.session;
    switch (e.op) {
      case 'points': {
        if (e.handles.length > LIMITS.maxPoints) throw new InputError(`at most ${LIMITS.maxPoints} point pairs, got ${e.handles.length}`);
        const same = e.handles.length === s.handles.length && e.handles.every((p, i) => p[0] === s.handles[i]![0] && p[1] === s.handles[i]![1]);
        // Moving targets keeps the handles' reference features; new or moved handles take new ones.
        if (same && e.handles.length > 0) s.setTargets(e.targets);
        else s.setPoints(e.handles, e.targets);
        this.record('points', 1, this.mask);
        break;
      }
      case 'mask': {
        s.setMask(e.mask === null ? null : this.checkMask(e.mask));
        this.record('mask', 1, e.mask === null ? null : Uint8Array.from(e.mask));
        break;
      }
      case 'reset':
        s.reset();
        this.record('reset', 1, this.mask);
        break;
      case 'undo': {
        this.closeRun();
        const top = this.edits[this.at - 1];
        if (top) {
          for (let i = 0; i < top.pushes; i++) s.undo();
          this.at--;
        }
        break;
      }
      case 'redo': {
        const next = this.edits[this.at];
        if (next) {
          for (let i = 0; i < next.pushes; i++) s.redo();
          this.at++;
        }
        break;
      }
      case 'settings':
        await this.applySettings(e.settings);
        break;
    }
    return this.state();
  }

  private async applySettings(next: DragSettings): Promise<void> {
    const cur = this.settings;
    if (next.wSpace === cur.wSpace && next.lambdaMask === cur.lambdaMask && next.r1 === cur.r1 && next.r2 === cur.r2) {
      this.session.lr = next.lr; // Adam keeps its moments, as changing torch's param_group lr
      this.settings = { ...next };
      return;
    }
    // Check the new settings on a fresh session before giving up the current one.
    const old = this.session;
    const mask = this.mask;
    const fresh = await DragSession.create(this.G, { latent: old.latent() }, sessionOptions(next));
    try {
      if (old.handles.length > 0) fresh.setPoints(old.handles, old.targets);
      if (mask) fresh.setMask(this.checkMask(mask));
    } catch (e) {
      await fresh.dispose();
      throw e;
    }
    this.session = fresh;
    this.settings = { ...next };
    this.base = mask;
    this.edits = [];
    this.at = 0;
    await old.dispose();
  }

  /** One DragGAN step; consecutive steps form one undo step (a run) until another edit or `closeRun`. */
  async step(): Promise<DragStepResult> {
    const t0 = performance.now();
    const r = await this.session.step();
    const top = this.edits[this.at - 1];
    if (top?.open && top.kind === 'run') top.pushes++;
    else this.record('run', 1, this.mask, true);
    const ms = performance.now() - t0;
    return { step: r.step, image: pictureOf(r.image, this.G), points: r.points, distances: r.distances, stopped: r.stopped, ms, canUndo: this.at > 0, canRedo: this.at < this.edits.length };
  }

  /** The state with a fresh render of the current latent. */
  async state(): Promise<DragState> {
    const t0 = performance.now();
    const img = await this.session.render();
    const s = this.session;
    return {
      steps: s.steps,
      handles: s.handles,
      targets: s.targets,
      mask: this.mask,
      canUndo: this.at > 0,
      canRedo: this.at < this.edits.length,
      settings: { ...this.settings },
      image: pictureOf(img, this.G),
      distances: distancesOf(s.handles, s.targets),
      ms: performance.now() - t0,
    };
  }

  /** The current latent ws [numWs * wDim]. */
  latent(): Float32Array {
    return this.session.latent();
  }

  /** Releases the session's programs (the generator stays open). */
  dispose(): Promise<void> {
    return this.session.dispose();
  }

  /** Compiled programs held by the session. */
  get sessions(): number {
    return this.session.sessions;
  }
}
