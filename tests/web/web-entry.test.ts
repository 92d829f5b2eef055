// The browser entry's pure parts, run in Node: option defaults and validation, and loading checkpoints by URL
// (Node has fetch) from a local server, including the errors for missing files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CheckpointError, InputError } from '../../src/errors.js';
import { loadCheckpointFromBytes, loadCheckpointFromUrl, resolveWebEngineOptions, type WebRuntimeInfo } from '../../src/web.js';
import { fixture, repoRoot } from '../fixtures.js';

const isolated: WebRuntimeInfo = { crossOriginIsolated: true, webgpu: false, hardwareConcurrency: 8 };
const plain: WebRuntimeInfo = { crossOriginIsolated: false, webgpu: false, hardwareConcurrency: 8 };
const withGpu: WebRuntimeInfo = { crossOriginIsolated: true, webgpu: true, hardwareConcurrency: 8 };

describe('resolveWebEngineOptions', () => {
  test('defaults: wasm, onnxruntime-web picks the threads', () => {
    assert.deepEqual(resolveWebEngineOptions({}, isolated), { executionProviders: ['wasm'], threads: undefined });
  });
  test('threads need cross-origin isolation; 1 without it', () => {
    assert.deepEqual(resolveWebEngineOptions({ threads: 4 }, isolated).threads, 4);
    assert.deepEqual(resolveWebEngineOptions({ threads: 4 }, plain).threads, 1);
    assert.deepEqual(resolveWebEngineOptions({}, plain).threads, 1);
    assert.deepEqual(resolveWebEngineOptions({ threads: 0 }, isolated).threads, undefined);
  });
  test('webgpu only where navigator.gpu exists', () => {
    assert.deepEqual(resolveWebEngineOptions({ executionProviders: ['webgpu', 'wasm'] }, withGpu).executionProviders, ['webgpu', 'wasm']);
    assert.deepEqual(resolveWebEngineOptions({ executionProviders: ['webgpu', 'wasm'] }, isolated).executionProviders, ['wasm']);
    assert.deepEqual(resolveWebEngineOptions({ executionProviders: ['webgpu'] }, isolated).executionProviders, ['wasm']);
    assert.deepEqual(resolveWebEngineOptions({ executionProviders: ['webgpu'] }, withGpu).executionProviders, ['webgpu']);
  });
  test('bad values are refused with what was expected', () => {
    assert.throws(() => resolveWebEngineOptions({ threads: -1 }, isolated), (e) => e instanceof InputError && /non-negative integer, got -1/.test(e.message));
    assert.throws(() => resolveWebEngineOptions({ threads: 1.5 }, isolated), InputError);
    assert.throws(() => resolveWebEngineOptions({ executionProviders: [] }, isolated), /at least one of wasm, webgpu/);
    assert.throws(() => resolveWebEngineOptions({ executionProviders: ['cuda' as never] }, isolated), /unknown execution provider 'cuda'.*wasm or webgpu/);
  });
});

describe('loadCheckpointFromUrl / loadCheckpointFromBytes', () => {
  let server: Server;
  let base: string;
  const files: Record<string, string> = {
    '/snap/network.pkl': fixture('stylegan2-tiny', 'network.pkl'),
    '/tf/network-tf.pkl': fixture('stylegan2-tf-tiny', 'network-tf.pkl'),
    '/model/config.json': join(repoRoot, 'tests', 'models', 'data', 'stylegan2-tiny', 'config.json'),
    '/model/weights.safetensors': join(repoRoot, 'tests', 'models', 'data', 'stylegan2-tiny', 'weights.safetensors'),
    '/half/config.json': join(repoRoot, 'tests', 'models', 'data', 'stylegan2-tiny', 'config.json'),
    '/model/notes.txt': join(repoRoot, 'tests', 'models', 'data', 'stylegan2-tiny', 'config.json'),
  };
  before(async () => {
    server = createServer((req, res) => {
      const file = files[req.url ?? ''];
      if (!file) return void res.writeHead(404, 'Not Found').end();
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((ok) => server.close(() => ok())));

  test('an NVIDIA pickle by URL', async () => {
    const ckpt = await loadCheckpointFromUrl(`${base}/snap/network.pkl`);
    assert.equal(ckpt.format, 'nvidia-pkl');
    assert.equal(ckpt.networks.G_ema?.config.imgResolution, 32);
  });
  test('a TensorFlow-era pickle by URL (Gs read as G_ema)', async () => {
    const ckpt = await loadCheckpointFromUrl(`${base}/tf/network-tf.pkl`);
    assert.equal(ckpt.format, 'nvidia-tf-pkl');
    assert.deepEqual(Object.keys(ckpt.networks).sort(), ['D', 'G', 'G_ema']);
  });
  test('a stylelab model folder by its URL or its config.json', async () => {
    for (const url of [`${base}/model/`, `${base}/model/config.json`, new URL(`${base}/model/`)]) {
      const ckpt = await loadCheckpointFromUrl(url);
      assert.equal(ckpt.format, 'stylelab');
      assert.equal(ckpt.networks.G_ema?.kind, 'generator');
    }
  });
  test('missing files name the URL and the HTTP status', async () => {
    await assert.rejects(loadCheckpointFromUrl(`${base}/nothing.pkl`), (e) => e instanceof InputError && e.message.includes(`${base}/nothing.pkl`) && /HTTP 404/.test(e.message));
    await assert.rejects(loadCheckpointFromUrl(`${base}/half/`), (e) => e instanceof InputError && /model weights .*weights\.safetensors: HTTP 404/.test(e.message));
    await assert.rejects(loadCheckpointFromUrl('not a url'), (e) => e instanceof InputError && /not a URL/.test(e.message));
  });
  test('bytes that are not a checkpoint are refused as such', async () => {
    await assert.rejects(loadCheckpointFromUrl(`${base}/model/notes.txt`), CheckpointError);
    assert.throws(() => loadCheckpointFromBytes(new Uint8Array([1, 2, 3, 4])), CheckpointError);
    const bytes = readFileSync(fixture('stylegan2-tiny', 'network.pkl'));
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    assert.equal(loadCheckpointFromBytes(ab).networks.G_ema?.kind, 'generator');
  });
});
