// The Drag page's image: the picture, and over it the mask (flexible area tinted), the handle (red) and target (blue)
// points with arrows, and the brush outline. Pointer input: click to add a handle then its target, drag a point to
// move it, right-click a point to delete its pair; with the brush, paint the flexible area (or erase it back).
import type { Point } from '../../drag/session.js';
import type { Picture } from '../../studio/protocol.js';
import { draw, h } from '../ui.js';

export type Tool = 'points' | 'flexible' | 'fixed';

/** What the view shows; the page owns it and the view reads it when drawing. */
export interface ViewState {
  handles: Point[];
  targets: Point[];
  /** A handle waiting for its target. */
  pending: Point | null;
  /** [R * R], 1 fixed, 0 flexible; null: none. */
  mask: Uint8Array | null;
  showMask: boolean;
  tool: Tool;
  /** Brush radius in image pixels. */
  brush: number;
}

/** What the view asks of the page. */
export interface ViewEvents {
  /** A click on empty image in the points tool. */
  addPoint(p: Point): void;
  /** A point was dragged to `p` (kind, pair index; index -1 is the pending handle). */
  movePoint(kind: 'handle' | 'target', index: number, p: Point): void;
  deletePair(index: number): void;
  /** A brush stroke ended with this mask. */
  strokeDone(mask: Uint8Array): void;
  /** Whether edits are allowed now (false while a run goes on: the page stops it first). */
  beforeEdit(): void;
}

export class DragView {
  readonly el: HTMLElement;
  readonly canvas = h('canvas', { class: 'main', id: 'drag-canvas', width: 128, height: 128 });
  private readonly overlay = h('canvas', { class: 'overlay', id: 'drag-overlay' });
  private R = 0;
  private cursor: { x: number; y: number } | null = null;
  private dragging: { kind: 'handle' | 'target'; index: number } | null = null;
  private stroke: Uint8Array | null = null;

  constructor(
    private readonly state: ViewState,
    private readonly events: ViewEvents,
  ) {
    this.el = h('div', { class: 'canvas-wrap' }, this.canvas, this.overlay);
    this.overlay.addEventListener('pointerdown', (e) => this.down(e));
    this.overlay.addEventListener('pointermove', (e) => this.move(e));
    this.overlay.addEventListener('pointerup', (e) => this.up(e));
    this.overlay.addEventListener('pointerleave', () => {
      this.cursor = null;
      this.redraw();
    });
    this.overlay.addEventListener('contextmenu', (e) => {
      e.preventDefault();
      const hit = this.hit(e);
      if (hit && hit.index >= 0) {
        this.events.beforeEdit();
        this.events.deletePair(hit.index);
      }
    });
    new ResizeObserver(() => this.redraw()).observe(this.overlay);
  }

  /** Shows a new picture (and redraws the overlay). */
  show(p: Picture): void {
    this.R = p.width;
    draw(this.canvas, p);
    this.redraw();
  }

  /** The image pixel [row, col] under a pointer event (clamped to the image). */
  private pixel(e: PointerEvent | MouseEvent): Point {
    const r = this.overlay.getBoundingClientRect();
    const clamp = (v: number) => Math.min(this.R - 1, Math.max(0, Math.floor(v)));
    return [clamp(((e.clientY - r.top) / r.height) * this.R), clamp(((e.clientX - r.left) / r.width) * this.R)];
  }

  /** Point radius in CSS pixels: the visualizer's 9 pixels of a 512 display, at least 6. */
  private radiusCss(): number {
    return Math.max(6, (9 * this.overlay.getBoundingClientRect().width) / 512);
  }

  /** The point under the pointer (within its drawn radius plus a margin). */
  private hit(e: PointerEvent | MouseEvent): { kind: 'handle' | 'target'; index: number } | null {
    const r = this.overlay.getBoundingClientRect();
    const s = r.width / this.R;
    const near = (p: Point) => Math.hypot((p[1] + 0.5) * s - (e.clientX - r.left), (p[0] + 0.5) * s - (e.clientY - r.top)) <= this.radiusCss() + 4;
    const st = this.state;
    for (let i = st.targets.length - 1; i >= 0; i--) if (near(st.targets[i]!)) return { kind: 'target', index: i };
    for (let i = st.handles.length - 1; i >= 0; i--) if (near(st.handles[i]!)) return { kind: 'handle', index: i };
    if (st.pending && near(st.pending)) return { kind: 'handle', index: -1 };
    return null;
  }

  private paint(p: Point): void {
    const R = this.R;
    const m = this.stroke!;
    const v = this.state.tool === 'flexible' ? 0 : 1;
    const rad = this.state.brush;
    // The official brush: pixels whose distance to the cursor is below the radius.
    for (let y = Math.max(0, Math.floor(p[0] - rad)); y <= Math.min(R - 1, Math.ceil(p[0] + rad)); y++)
      for (let x = Math.max(0, Math.floor(p[1] - rad)); x <= Math.min(R - 1, Math.ceil(p[1] + rad)); x++) if ((y - p[0]) ** 2 + (x - p[1]) ** 2 < rad * rad) m[y * R + x] = v;
  }

  private down(e: PointerEvent): void {
    if (e.button !== 0 || this.R === 0) return;
    this.overlay.setPointerCapture(e.pointerId);
    this.events.beforeEdit();
    const p = this.pixel(e);
    if (this.state.tool === 'points') {
      this.dragging = this.hit(e);
      if (!this.dragging) this.events.addPoint(p);
    } else {
      this.stroke = this.state.mask ? Uint8Array.from(this.state.mask) : new Uint8Array(this.R * this.R).fill(1);
      this.state.showMask = true;
      this.paint(p);
    }
    this.redraw();
  }

  private move(e: PointerEvent): void {
    const r = this.overlay.getBoundingClientRect();
    this.cursor = { x: e.clientX - r.left, y: e.clientY - r.top };
    if (this.R === 0) return;
    const p = this.pixel(e);
    if (this.dragging) {
      const { kind, index } = this.dragging;
      if (index === -1) this.state.pending = p;
      else (kind === 'handle' ? this.state.handles : this.state.targets)[index] = p;
    } else if (this.stroke) this.paint(p);
    this.redraw();
  }

  private up(e: PointerEvent): void {
    if (this.dragging) {
      const { kind, index } = this.dragging;
      this.dragging = null;
      this.events.movePoint(kind, index, this.pixel(e));
    } else if (this.stroke) {
      const m = this.stroke;
      this.stroke = null;
      this.events.strokeDone(m);
    }
  }

  /** Draws the mask, the points and arrows, and the brush outline. */
  redraw(): void {
    const o = this.overlay;
    const css = o.getBoundingClientRect();
    const dpr = devicePixelRatio || 1;
    const [W, H] = [Math.round(css.width * dpr), Math.round(css.height * dpr)];
    if (W === 0) return;
    if (o.width !== W || o.height !== H) [o.width, o.height] = [W, H];
    const ctx = o.getContext('2d')!;
    ctx.clearRect(0, 0, W, H);
    const R = this.R;
    if (R === 0) return;
    const s = W / R;
    const st = this.state;
    const mask = this.stroke ?? st.mask;
    if (st.showMask && mask) {
      // Flexible pixels tinted blue, as a scaled R x R image.
      const img = new ImageData(R, R);
      for (let i = 0; i < R * R; i++) if (mask[i] === 0) img.data.set([120, 170, 255, 64], i * 4);
      const tmp = new OffscreenCanvas(R, R);
      tmp.getContext('2d')!.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tmp, 0, 0, W, H);
    }
    const rad = this.radiusCss() * dpr;
    const at = (p: Point): [number, number] => [(p[1] + 0.5) * s, (p[0] + 0.5) * s];
    st.handles.forEach((hp, i) => {
      const t = st.targets[i];
      if (t) arrow(ctx, at(hp), at(t), rad);
    });
    const dot = (p: Point, fill: string) => {
      const [x, y] = at(p);
      ctx.beginPath();
      ctx.arc(x, y, rad, 0, 2 * Math.PI);
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.lineWidth = Math.max(1, dpr * 1.5);
      ctx.strokeStyle = 'rgba(255,255,255,.9)';
      ctx.stroke();
    };
    for (const t of st.targets) dot(t, '#3d8bff');
    for (const hp of st.handles) dot(hp, '#ff3b3b');
    if (st.pending) dot(st.pending, '#ff3b3b');
    if (st.tool !== 'points' && this.cursor) {
      ctx.beginPath();
      ctx.arc(this.cursor.x * dpr, this.cursor.y * dpr, st.brush * s, 0, 2 * Math.PI);
      ctx.lineWidth = dpr * 1.5;
      ctx.strokeStyle = st.tool === 'flexible' ? 'rgba(120,170,255,.95)' : 'rgba(255,255,255,.8)';
      ctx.stroke();
    }
  }
}

/** A white arrow from a handle towards its target, stopping at the target's disc. */
function arrow(ctx: CanvasRenderingContext2D, from: [number, number], to: [number, number], rad: number): void {
  const [dx, dy] = [to[0] - from[0], to[1] - from[1]];
  const len = Math.hypot(dx, dy);
  if (len < rad * 2) return;
  const [ux, uy] = [dx / len, dy / len];
  const end: [number, number] = [to[0] - ux * rad, to[1] - uy * rad];
  const head = Math.max(6, rad * 1.1);
  ctx.strokeStyle = 'rgba(255,255,255,.95)';
  ctx.fillStyle = 'rgba(255,255,255,.95)';
  ctx.lineWidth = Math.max(2, rad / 3);
  ctx.beginPath();
  ctx.moveTo(from[0] + ux * rad, from[1] + uy * rad);
  ctx.lineTo(end[0] - ux * head * 0.8, end[1] - uy * head * 0.8);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(end[0], end[1]);
  ctx.lineTo(end[0] - ux * head - uy * head * 0.6, end[1] - uy * head + ux * head * 0.6);
  ctx.lineTo(end[0] - ux * head + uy * head * 0.6, end[1] - uy * head - ux * head * 0.6);
  ctx.closePath();
  ctx.fill();
}
