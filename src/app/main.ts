// The web app's shell: tabs, the backend selector (wasm or WebGPU in this page, or the server), the model list, the
// status bar. Each tab is a page module; they share the App object. Bundled by scripts/build-app.mjs into dist/app.
import type { ModelInfo } from '../studio/protocol.js';
import { type Backend, ServerBackend, WorkerBackend } from './backend.js';
import { dragPage } from './pages/drag.js';
import { generatePage } from './pages/generate.js';
import { mixPage } from './pages/mix.js';
import { translatePage } from './pages/translate.js';
import { videoPage } from './pages/video.js';
import { h } from './ui.js';

export type TabName = 'generate' | 'mix' | 'drag' | 'translate' | 'video';

/** What a page can hand another (a seed, or a latent from a style-mix cell). */
export type Handoff = { model: string; seed: number; psi: number } | { model: string; latent: Float32Array; label: string };

/** A tab of the app. */
export interface Page {
  readonly name: TabName;
  readonly title: string;
  readonly el: HTMLElement;
  /** Called when the tab is shown (with what another page handed over, if anything). */
  show(handoff?: Handoff): void;
  /** The backend changed (the page re-runs or re-opens what it shows). */
  backendChanged(previous: Backend | null): Promise<void>;
  /** The model list changed. */
  modelsChanged(): void;
}

/** What pages share. */
export interface App {
  backend: Backend;
  models: ModelInfo[];
  /** Whether the server can write MP4 (ffmpeg). */
  ffmpeg: boolean;
  status(text: string): void;
  /** Shows an error's message in the status bar (and clears it with the next success). */
  error(e: unknown): void;
  go(tab: TabName, handoff?: Handoff): void;
  /** Runs work with the page marked busy (tests wait on body[data-busy="0"]). */
  busy<T>(work: () => Promise<T>): Promise<T>;
  /** Opens a checkpoint file in the page (wasm/WebGPU backends). */
  openFile(file: File): Promise<ModelInfo | null>;
  /** Models of a kind, as select options. */
  modelOptions(kind: ModelInfo['kind']): [string, string][];
}

const statusEl = document.getElementById('status')!;
const errorEl = document.getElementById('error')!;
const backendSelect = document.getElementById('backend') as HTMLSelectElement;
const backendInfo = document.getElementById('backend-info')!;
const params = new URLSearchParams(location.search);
let busyCount = 0;
document.body.dataset.busy = '0';

/** Threads for wasm: ?threads=N, else the cores (at most 4, onnxruntime-web's own cap), 1 without isolation. */
function wasmThreads(): number {
  const asked = Number(params.get('threads'));
  if (Number.isInteger(asked) && asked > 0) return asked;
  return crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

/** Whether WebGPU gives an adapter here (checked once; headless browsers often have none). */
async function webgpuAvailable(): Promise<boolean> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

async function startBackend(kind: string): Promise<Backend> {
  if (kind === 'server') return ServerBackend.start();
  return WorkerBackend.start(kind === 'webgpu' ? 'webgpu' : 'wasm', wasmThreads());
}

const pages: Page[] = [];
const app: App = {
  backend: null as unknown as Backend,
  models: [],
  ffmpeg: false,
  status(text) {
    statusEl.textContent = text;
  },
  error(e) {
    const msg = e instanceof Error ? e.message : String(e);
    errorEl.textContent = msg;
    console.warn(`stylelab: ${msg}`);
  },
  go(tab, handoff) {
    showTab(tab, handoff);
  },
  async busy(work) {
    busyCount++;
    document.body.dataset.busy = '1';
    try {
      const r = await work();
      errorEl.textContent = '';
      return r;
    } finally {
      busyCount--;
      if (busyCount === 0) document.body.dataset.busy = '0';
    }
  },
  async openFile(file) {
    const b = app.backend;
    if (!b.openFile) {
      app.error('a checkpoint opened from this computer runs in the browser only: switch the backend to wasm or WebGPU');
      return null;
    }
    const info = await app.busy(async () => b.openFile!(file.name, new Uint8Array(await file.arrayBuffer())));
    app.models = await b.models();
    for (const p of pages) p.modelsChanged();
    return info;
  },
  modelOptions(kind) {
    return app.models.filter((m) => m.kind === kind).map((m) => [m.id, `${m.name} · ${m.arch} ${m.resolution}px${m.source === 'file' ? ' (this page)' : ''}`]);
  },
};

const tabs = document.getElementById('tabs')!;
const main = document.getElementById('pages')!;
let current: TabName = 'generate';

function showTab(tab: TabName, handoff?: Handoff): void {
  current = tab;
  for (const p of pages) {
    p.el.classList.toggle('active', p.name === tab);
    tabs.querySelector(`[data-tab="${p.name}"]`)?.setAttribute('aria-selected', String(p.name === tab));
  }
  history.replaceState(null, '', `#${tab}`);
  pages.find((p) => p.name === tab)!.show(handoff);
}

/** Switches the backend: starts the new one, lets every page move its work over, then stops the old one. */
async function switchBackend(kind: string): Promise<void> {
  const previous = app.backend as Backend | null;
  backendSelect.disabled = true;
  try {
    // Busy for the whole switch: the pages move their work over, then the old backend stops.
    await app.busy(async () => {
      const next = await startBackend(kind);
      app.backend = next;
      backendInfo.textContent = next.label;
      app.models = await next.models();
      for (const p of pages) p.modelsChanged();
      for (const p of pages) await p.backendChanged(previous).catch((e) => app.error(e));
      previous?.dispose();
      document.body.dataset.backend = next.kind;
      app.status(`backend: ${next.label}`);
    });
  } catch (e) {
    app.error(e);
    if (previous) backendSelect.value = previous.kind;
    else if (kind !== 'server') {
      // Nothing runs yet (this browser could not start the worker): fall back to the server.
      backendSelect.disabled = false;
      backendSelect.value = 'server';
      return switchBackend('server');
    }
  } finally {
    backendSelect.disabled = false;
  }
}

async function boot(): Promise<void> {
  const status = (await (await fetch('/api/status')).json()) as { ffmpeg: boolean };
  app.ffmpeg = status.ffmpeg;
  const options: [string, string][] = [['wasm', 'Browser · wasm']];
  if (await webgpuAvailable()) options.push(['webgpu', 'Browser · WebGPU']);
  options.push(['server', 'Server · onnxruntime-node']);
  backendSelect.replaceChildren(...options.map(([v, t]) => h('option', { value: v }, t)));
  const wanted = params.get('backend') ?? 'wasm';
  backendSelect.value = options.some(([v]) => v === wanted) ? wanted : 'wasm';
  backendSelect.addEventListener('change', () => void switchBackend(backendSelect.value));

  pages.push(generatePage(app), mixPage(app), dragPage(app), translatePage(app), videoPage(app));
  for (const p of pages) {
    main.append(p.el);
    tabs.append(h('button', { role: 'tab', 'data-tab': p.name, 'aria-selected': 'false', onclick: () => showTab(p.name) }, p.title));
  }
  await switchBackend(backendSelect.value);
  const hash = location.hash.slice(1) as TabName;
  showTab(pages.some((p) => p.name === hash) ? hash : current);
  document.body.dataset.ready = '1';
}

void boot().catch((e) => app.error(e));
