// Drag (DragGAN): handle/target points, a mask brush, Start/Stop with the image and points updated every step, undo
// and redo of every edit and run, reset to the seed, the official settings, and PNG / w.npy / GIF downloads. The
// session lives on the backend (worker or server); this page keeps what it shows and sends one edit at a time.
import { latentToNpy, readLatent } from '../../drag/latent.js';
import { drawPoints } from '../../drag/points.js';
import type { Point } from '../../drag/session.js';
import { DRAG_DEFAULTS, type DragSettings, type DragState, MASK_RADIUS_512, type ModelInfo, type Picture } from '../../studio/protocol.js';
import type { Backend } from '../backend.js';
import { GifBuilder } from '../gif.js';
import type { App, Handoff, Page } from '../main.js';
import { button, download, h, numberInput, pngOf, row, section, segmented, select, setOptions, slider, toRgb } from '../ui.js';
import { DragView, type Tool, type ViewState } from './drag-view.js';

/** Most steps of one run (the official app has no limit; this keeps a forgotten run from going on for ever). */
const MAX_RUN_STEPS = 2000;
/** Frames kept for the run's GIF. */
const MAX_GIF_FRAMES = 600;

export function dragPage(app: App): Page {
  const model = select([], undefined, 'drag-model');
  const seed = numberInput(0, { min: 0, max: 0xffffffff, step: 1, id: 'drag-seed' });
  let psi = 0.7;
  const psiSlider = slider(psi, -1, 2, 0.01, (v) => (psi = v), 'drag-psi');
  psiSlider.input.addEventListener('change', () => void openFromSeed());
  const wSpace = segmented<'w' | 'w+'>([['w', 'w'], ['w+', 'w+']], 'w+', () => void applySettings());
  const lr = numberInput(DRAG_DEFAULTS.lr, { min: 0, step: 0.0001, id: 'drag-lr' });
  const lambda = numberInput(DRAG_DEFAULTS.lambdaMask, { min: 0, step: 1, id: 'drag-lambda' });
  const r1 = numberInput(0, { min: 0, step: 1, id: 'drag-r1', placeholder: 'auto' });
  r1.value = '';
  const r2 = numberInput(DRAG_DEFAULTS.r2, { min: 1, step: 1, id: 'drag-r2' });
  const st: ViewState = { handles: [], targets: [], pending: null, mask: null, showMask: true, tool: 'points', brush: 12 };
  const tool = segmented<Tool>([['points', 'Points'], ['flexible', 'Brush'], ['fixed', 'Eraser']], 'points', (t) => {
    st.tool = t;
    view.redraw();
  });
  const brushSlider = slider(st.brush, 1, 64, 1, (v) => ((st.brush = v), view.redraw()), 'drag-brush');
  const showMask = h('input', { type: 'checkbox', id: 'drag-show-mask', checked: true, onchange: () => ((st.showMask = showMask.checked), view.redraw()) });
  const startBtn = button('Start', () => void (running ? stop() : start()), 'btn primary', { id: 'drag-start' });
  const undoBtn = button('Undo', () => void edit({ op: 'undo' }), 'btn', { id: 'drag-undo', title: 'Ctrl+Z' });
  const redoBtn = button('Redo', () => void edit({ op: 'redo' }), 'btn', { id: 'drag-redo', title: 'Ctrl+Shift+Z' });
  const stats = { steps: h('dd', { id: 'drag-steps' }, '0'), dist: h('dd', { id: 'drag-distance' }, '–'), ms: h('dd', { id: 'drag-ms' }, '–'), backend: h('dd', {}, '–') };
  const pairs = h('ul', { class: 'pairs', id: 'drag-pairs' });
  const caption = h('div', { class: 'caption', id: 'drag-caption' });
  const latentFile = h('input', { type: 'file', accept: '.npy,.npz,.json', id: 'drag-latent-file', onchange: () => void loadLatent() });

  let info: ModelInfo | undefined;
  let image: Picture | null = null;
  let open = false;
  let opened: string | null = null;
  let shown = false;
  let running = false;
  let stopAsked = false;
  let runDone: Promise<void> = Promise.resolve();
  let canUndo = false;
  let canRedo = false;
  let steps = 0;
  let gif: Picture[] = [];
  let label = '';

  const view = new DragView(st, {
    addPoint: (p) => {
      if (!st.pending) {
        st.pending = p;
        view.redraw();
        renderPairs();
      } else {
        const handles = [...st.handles, st.pending];
        st.pending = null;
        void edit({ op: 'points', handles, targets: [...st.targets, p] });
      }
    },
    movePoint: (kind, index, p) => {
      if (index === -1) {
        st.pending = p;
        return view.redraw();
      }
      const handles = [...st.handles];
      const targets = [...st.targets];
      (kind === 'handle' ? handles : targets)[index] = p;
      void edit({ op: 'points', handles, targets });
    },
    deletePair: (i) => void edit({ op: 'points', handles: st.handles.filter((_, j) => j !== i), targets: st.targets.filter((_, j) => j !== i) }),
    strokeDone: (mask) => void edit({ op: 'mask', mask }),
    beforeEdit: () => {
      if (running) void stop();
    },
  });

  const settings = (): DragSettings => ({
    wSpace: wSpace.value(),
    lr: Number(lr.value) || DRAG_DEFAULTS.lr,
    lambdaMask: Number(lambda.value),
    r1: r1.value.trim() === '' ? null : Number(r1.value),
    r2: Number(r2.value) || DRAG_DEFAULTS.r2,
  });

  const controls = h(
    'div',
    { class: 'controls' },
    section('Network & latent', model, row('Seed', seed, button('◀', () => stepSeed(-1), 'btn', { id: 'drag-prev' }), button('▶', () => stepSeed(1), 'btn', { id: 'drag-next' })), row('Psi', psiSlider.el), row('Latent', wSpace.el), row('Load', latentFile)),
    section(
      'Drag',
      h('div', { class: 'hint' }, 'Click a handle (red), then its target (blue). Drag a point to move it; right-click deletes its pair.'),
      row('Tool', tool.el),
      row('Brush', brushSlider.el),
      row('Mask', h('label', {}, showMask, ' show'), button('Clear', () => void edit({ op: 'mask', mask: null }), 'btn', { id: 'drag-clear-mask' })),
      h('div', { class: 'buttons' }, startBtn, undoBtn, redoBtn, button('Reset', () => void edit({ op: 'reset' }), 'btn', { id: 'drag-reset', title: 'back to the seed (undoable)' }), button('Clear points', () => void clearPoints(), 'btn', { id: 'drag-clear-points' })),
      pairs,
    ),
    section('Progress', h('dl', { class: 'stats' }, h('dt', {}, 'Steps'), stats.steps, h('dt', {}, 'Distance'), stats.dist, h('dt', {}, 'Time'), stats.ms, h('dt', {}, 'Backend'), stats.backend)),
    section('Settings', row('Step size', lr), row('Lambda', lambda, h('span', { class: 'hint' }, 'mask weight')), row('r1', r1, h('span', { class: 'hint' }, 'motion, px of 512')), row('r2', r2, h('span', { class: 'hint' }, 'tracking, px of 512')), h('div', { class: 'hint' }, 'Defaults as the official DragGAN visualizer. Changing lambda, r1, r2 or w/w+ starts a new undo history.')),
    section('Save', h('div', { class: 'buttons' }, button('Image PNG', () => void saveImage(), 'btn', { id: 'drag-save-png' }), button('w .npy', () => void saveLatent(), 'btn', { id: 'drag-save-w' }), button('Run GIF', () => saveGif(), 'btn', { id: 'drag-save-gif' }))),
  );
  const el = h('section', { class: 'page', id: 'page-drag' }, controls, h('div', { class: 'view' }, view.el, caption));
  for (const c of [lr, lambda, r1, r2]) c.addEventListener('change', () => void applySettings());
  seed.addEventListener('change', () => void openFromSeed());
  model.addEventListener('change', () => void openFromSeed());
  addEventListener('keydown', (e) => {
    if (!el.classList.contains('active') || !(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== 'z' || (e.target as HTMLElement).tagName === 'INPUT') return;
    e.preventDefault();
    void edit({ op: e.shiftKey ? 'redo' : 'undo' });
  });

  function stepSeed(d: number): void {
    seed.value = String(Math.min(0xffffffff, Math.max(0, Math.trunc(Number(seed.value) || 0) + d)));
    void openFromSeed();
  }

  /** Shows what the backend says after an edit or a step: the image, the points, the counts. */
  function show(s: { image: Picture; handles: Point[]; steps: number; canUndo: boolean; canRedo: boolean; distances: number[] }): void {
    st.handles = s.handles.map((p) => [p[0], p[1]] as Point);
    image = s.image;
    steps = s.steps;
    canUndo = s.canUndo;
    canRedo = s.canRedo;
    view.show(s.image);
    stats.steps.textContent = String(s.steps);
    showDistances(s.distances);
    refreshButtons();
    renderPairs();
  }

  /** Shows a whole state (targets and mask too). */
  function apply(s: DragState): void {
    st.targets = s.targets.map((p) => [p[0], p[1]] as Point);
    st.mask = s.mask;
    show(s);
  }

  function showDistances(d: number[]): void {
    stats.dist.textContent = d.length === 0 ? '–' : `${Math.max(...d).toFixed(1)} px (max of ${d.length})`;
  }

  function refreshButtons(): void {
    startBtn.textContent = running ? 'Stop' : 'Start';
    startBtn.disabled = !open || (!running && st.handles.length === 0);
    undoBtn.disabled = running || !canUndo;
    redoBtn.disabled = running || !canRedo;
    el.dataset.state = JSON.stringify({ steps, handles: st.handles, targets: st.targets, canUndo, canRedo, running, open });
  }

  function renderPairs(): void {
    const items = st.handles.map((p, i) => {
      const t = st.targets[i]!;
      return h('li', {}, h('span', { class: 'dot red' }), `${p[0]},${p[1]}`, ' → ', h('span', { class: 'dot blue' }), `${t[0]},${t[1]}`, button('×', () => view_delete(i), 'x', { title: 'delete this pair' }));
    });
    if (st.pending) items.push(h('li', {}, h('span', { class: 'dot red' }), `${st.pending[0]},${st.pending[1]}`, ' → click the target'));
    pairs.replaceChildren(...items);
  }
  const view_delete = (i: number) => {
    if (running) void stop();
    void edit({ op: 'points', handles: st.handles.filter((_, j) => j !== i), targets: st.targets.filter((_, j) => j !== i) });
  };

  async function edit(e: Parameters<Backend['dragEdit']>[0]): Promise<void> {
    if (!open) return;
    if (running) await stop();
    const s = await app.busy(() => app.backend.dragEdit(e)).catch((err) => (app.error(err), null));
    if (s) apply(s);
    else view.redraw();
  }

  async function clearPoints(): Promise<void> {
    st.pending = null;
    await edit({ op: 'points', handles: [], targets: [] });
  }

  async function openWith(req: { seed: number; psi: number } | { latent: Float32Array }, what: string): Promise<void> {
    if (running) await stop();
    info = app.models.find((m) => m.id === model.value);
    if (!info || !shown) return;
    const m = info;
    const s = await app.busy(() => app.backend.dragOpen({ model: m.id, settings: settings(), ...req })).catch((e) => (app.error(e), null));
    open = s !== null;
    if (!s) return refreshButtons();
    opened = app.backend.kind;
    st.pending = null;
    st.brush = Math.max(1, Math.round((MASK_RADIUS_512 / 512) * m.resolution));
    brushSlider.set(st.brush);
    label = what;
    gif = [];
    apply(s);
    stats.backend.textContent = app.backend.label;
    caption.textContent = `${m.name} · ${what} · ${m.resolution}x${m.resolution}`;
  }

  const openFromSeed = () => openWith({ seed: Math.trunc(Number(seed.value) || 0), psi }, `seed ${Math.trunc(Number(seed.value) || 0)}, psi ${psi.toFixed(2)}`);

  async function applySettings(): Promise<void> {
    if (open) await edit({ op: 'settings', settings: settings() });
  }

  /** The image with the points drawn, for the GIF. */
  const framed = (p: Picture, handles: Point[]): Picture => {
    const rgb = toRgb(p);
    return { ...rgb, data: drawPoints(rgb.data, rgb.height, rgb.width, handles, st.targets) };
  };

  async function start(): Promise<void> {
    if (running || !open || !image) return;
    if (st.handles.length === 0) return app.error('add a handle and a target point first');
    st.pending = null;
    running = true;
    stopAsked = false;
    gif = [framed(image, st.handles)];
    refreshButtons();
    let finish!: () => void;
    runDone = new Promise((ok) => (finish = ok));
    try {
      for (let i = 0; i < MAX_RUN_STEPS && !stopAsked; i++) {
        const r = await app.busy(() => app.backend.dragStep());
        show({ ...r, handles: r.points, steps: r.step });
        stats.ms.textContent = `${r.ms.toFixed(0)} ms/step`;
        if (gif.length < MAX_GIF_FRAMES) gif.push(framed(r.image, st.handles));
        if (r.stopped) break;
      }
    } catch (e) {
      app.error(e);
    } finally {
      running = false;
      const s = await app.backend.dragEndRun().catch(() => null);
      if (s) apply(s);
      refreshButtons();
      finish();
    }
  }

  async function stop(): Promise<void> {
    stopAsked = true;
    await runDone;
  }

  async function saveImage(): Promise<void> {
    if (image) download(`drag-${steps}steps.png`, await pngOf(image));
  }

  async function saveLatent(): Promise<void> {
    if (!open) return;
    const { latent, numWs, wDim } = await app.busy(() => app.backend.dragLatent());
    download('w.npy', latentToNpy(latent, numWs, wDim));
  }

  function saveGif(): void {
    if (gif.length === 0) return app.error('no run yet: press Start first');
    const g = new GifBuilder(100);
    for (const f of gif) g.add(f);
    download('drag-run.gif', g.finish(), 'image/gif');
  }

  async function loadLatent(): Promise<void> {
    const file = latentFile.files?.[0];
    info = app.models.find((m) => m.id === model.value);
    if (!file || !info) return;
    try {
      const latent = readLatent(new Uint8Array(await file.arrayBuffer()), info.numWs, info.wDim, file.name);
      await openWith({ latent }, file.name);
    } catch (e) {
      app.error(e);
    }
    latentFile.value = '';
  }

  return {
    name: 'drag',
    title: 'Drag',
    el,
    show(handoff?: Handoff) {
      shown = true;
      if (handoff) {
        model.value = handoff.model;
        if ('seed' in handoff) {
          seed.value = String(handoff.seed);
          psi = handoff.psi;
          psiSlider.set(psi);
          void openFromSeed();
        } else void openWith({ latent: handoff.latent }, handoff.label);
      } else if (!open) void openFromSeed();
      view.redraw();
    },
    async backendChanged(previous: Backend | null) {
      // Carry the session over: the latent, the points and the mask (the undo history stays behind).
      if (!open || !previous || opened === null) return void (shown && (await openFromSeed()));
      if (running) await stop();
      const { handles, targets, mask } = st;
      const { latent } = await previous.dragLatent();
      await openWith({ latent }, label);
      if (handles.length > 0) await edit({ op: 'points', handles, targets });
      if (mask) await edit({ op: 'mask', mask });
    },
    modelsChanged() {
      setOptions(model, app.modelOptions('generator'), model.value || undefined);
    },
  };
}
