// The models `stylelab serve` offers: the bundled ones and those named on the command line, nothing else. Each
// gets an id; the browser fetches its files by id (never by path), and the server opens it on its own engine.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Engine } from '../engine/runtime.js';
import { CheckpointError, InputError } from '../errors.js';
import { defaultGeneratorRole } from '../models/checkpoint.js';
import { openGenerator } from '../models/open.js';
import { loadUgatitCheckpoint } from '../models/ugatit-files.js';
import { UgatitModel } from '../models/ugatit.js';
import { loadCheckpoint } from '../node.js';
import type { ModelInfo } from '../studio/protocol.js';
import { generatorInfo, type ModelProvider, type OpenModel, ugatitInfo } from '../studio/studio.js';

/** A model of the registry: its facts, the files the browser may fetch, and the opened model. */
export interface RegistryEntry {
  info: ModelInfo & { url: string };
  /** URL file name -> absolute path (the only files served under /models/<id>/). */
  files: Map<string, string>;
  model: OpenModel;
}

/** What `stylelab serve` names on its command line. */
export interface RegistrySources {
  /** Folders holding bundled model folders (each with config.json). */
  bundledDirs: string[];
  /** --network paths: .pkl files or stylelab model folders. */
  networks: string[];
  /** --checkpoint paths: U-GAT-IT .pt snapshots or stylelab U-GAT-IT folders. */
  checkpoints: string[];
}

/** Ids are lowercase letters, digits and dashes, as the request schemas require. */
export const MODEL_ID = /^[a-z0-9][a-z0-9-]{0,79}$/;

/** A readable id from a shown name: 'draggan-tiny/network.pkl' -> 'draggan-tiny-network'. */
function slug(name: string): string {
  const s = name.toLowerCase().replace(/\.(pkl|pt|pth)$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 72);
  return s || 'model';
}

/** The shown name of a path: a folder's own name, a file's folder and name. */
function shownName(path: string, isDir: boolean): string {
  return isDir ? basename(path) : `${basename(dirname(path))}/${basename(path)}`;
}

const isModelFolder = (dir: string): boolean => existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'weights.safetensors'));

/**
 * Loads every model up front, so a bad path or checkpoint named on the command line stops the server with one line.
 * @example const reg = ModelRegistry.load(engine, { bundledDirs: ['models'], networks: ['net.pkl'], checkpoints: [] });
 */
export class ModelRegistry implements ModelProvider {
  private readonly entries = new Map<string, RegistryEntry>();

  private constructor(private readonly engine: Engine) {}

  static load(engine: Engine, src: RegistrySources): ModelRegistry {
    const reg = new ModelRegistry(engine);
    for (const dir of src.bundledDirs) {
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir).sort()) {
        const folder = join(dir, name);
        if (statSync(folder).isDirectory() && isModelFolder(folder)) reg.add(folder, 'bundled', 'generator');
      }
    }
    for (const p of src.networks) reg.add(p, 'cli', 'generator');
    for (const p of src.checkpoints) reg.add(p, 'cli', 'ugatit');
    return reg;
  }

  private add(path: string, source: 'bundled' | 'cli', kind: 'generator' | 'ugatit'): void {
    const option = kind === 'generator' ? '--network' : '--checkpoint';
    const abs = resolve(path);
    if (!existsSync(abs)) throw new InputError(`${option} ${path}: not found`);
    const isDir = statSync(abs).isDirectory();
    if (isDir && !isModelFolder(abs)) throw new InputError(`${option} ${path}: a folder without config.json and weights.safetensors is not a stylelab model`);
    const name = shownName(abs, isDir);
    let id = slug(name);
    for (let n = 2; this.entries.has(id); n++) id = `${slug(name)}-${n}`;
    const files = new Map<string, string>();
    let url: string;
    if (isDir) {
      files.set('config.json', join(abs, 'config.json'));
      files.set('weights.safetensors', join(abs, 'weights.safetensors'));
      url = `/models/${id}/`;
    } else {
      const file = kind === 'generator' ? 'network.pkl' : 'checkpoint.pt';
      files.set(file, abs);
      url = `/models/${id}/${file}`;
    }
    let model: OpenModel;
    let info: ModelInfo;
    try {
      if (kind === 'generator') {
        const ckpt = loadCheckpoint(abs);
        defaultGeneratorRole(ckpt);
        const G = openGenerator(this.engine, ckpt);
        model = { kind, G };
        info = generatorInfo(G, { id, name, source });
      } else {
        const m = new UgatitModel(this.engine, loadUgatitCheckpoint(abs));
        model = { kind, model: m };
        info = ugatitInfo(m, { id, name, source });
      }
    } catch (e) {
      if (e instanceof InputError || e instanceof CheckpointError) throw new InputError(`${option} ${path}: ${e.message}`);
      throw e;
    }
    this.entries.set(id, { info: { ...info, url }, files, model });
  }

  /** The entry of an id; a 400-worthy InputError naming the offered ids otherwise. */
  entry(id: string): RegistryEntry {
    const e = this.entries.get(id);
    if (!e) throw new InputError(`unknown model '${id}': this server offers ${[...this.entries.keys()].join(', ') || 'no models'}`);
    return e;
  }

  /** The path of a model file the browser may fetch, or null. */
  file(id: string, name: string): string | null {
    return this.entries.get(id)?.files.get(name) ?? null;
  }

  async list(): Promise<(ModelInfo & { url: string })[]> {
    return [...this.entries.values()].map((e) => e.info);
  }

  async open(id: string): Promise<OpenModel> {
    return this.entry(id).model;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Releases every opened model's programs. */
  async dispose(): Promise<void> {
    for (const e of this.entries.values()) await (e.model.kind === 'generator' ? e.model.G.dispose() : e.model.model.dispose());
  }
}
