// The published package: `npm pack` holds dist, the default model, README and licences and nothing else, and
// the tarball installed into an empty folder runs `npx stylelab generate` and `import 'stylelab/node'` (this is
// what catches a missing file or a dev-only import). Skipped, saying why, when the npm registry is unreachable.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { readPng, tempDir } from '../cli/helpers.js';
import { repoRoot } from '../fixtures.js';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/** Runs a command in `cwd`; the error names the command and shows its stderr. */
async function sh(cwd: string, cmd: string, args: string[], timeout = 300_000): Promise<string> {
  try {
    return (await run(cmd, args, { cwd, encoding: 'utf8', timeout, maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr || err.message}`);
  }
}

/** Why the registry cannot be used, or null when `npm ping` answers. */
async function registryUnreachable(): Promise<string | null> {
  try {
    await run(NPM, ['ping', '--loglevel=error'], { timeout: 20_000 });
    return null;
  } catch (e) {
    return `the npm registry is unreachable (npm ping: ${((e as Error).message.split('\n')[0] ?? '').slice(0, 120)})`;
  }
}

describe('npm package', () => {
  const t = tempDir('stylelab-pack-');
  after(t.remove);
  let tarball = '';

  test('npm pack: dist, the default model, README and licences; no tests, fixtures, training state or sources', async () => {
    // --ignore-scripts: `npm test` has just built dist (prepare would build it again).
    const out = await sh(repoRoot, NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', t.dir, ...QUIET]);
    const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
    tarball = join(t.dir, info!.filename);
    const files = info!.files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'NOTICE', 'dist/src/cli/main.js', 'dist/src/node.js', 'dist/src/web.js', 'dist/src/index.d.ts', 'models/stylegan2-emoji32/config.json', 'models/stylegan2-emoji32/weights.safetensors', 'models/stylegan2-emoji32/NOTICE']) {
      assert.ok(files.includes(f), `${f} is in the package`);
    }
    const stray = files.filter((f) => !/^(package\.json|README\.md|LICENSE|NOTICE)$/.test(f) && !f.startsWith('dist/src/') && !f.startsWith('dist/app/') && !f.startsWith('models/'));
    assert.deepEqual(stray, [], 'nothing but dist, models, README and licences');
    assert.ok(!files.some((f) => /(^|\/)tests?\/|fixtures|training-state|optimizer\.safetensors|\.ts$(?<!\.d\.ts)/.test(f)), 'no tests, fixtures, optimizer state or TypeScript sources');
  });

  test('installed into an empty folder: npx stylelab generate draws the default model; stylelab/node imports', async (c) => {
    const why = await registryUnreachable();
    if (why) return c.skip(why);
    assert.ok(tarball, 'the pack test ran');
    const app = join(t.dir, 'app');
    await sh(t.dir, 'mkdir', ['-p', app]);
    // As the README tells CPU-only users: deny onnxruntime-node's install script, which downloads CUDA libraries.
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module', allowScripts: { 'onnxruntime-node': false } }));
    await sh(app, NPM, ['install', tarball, ...QUIET]);
    await sh(app, 'npx', ['stylelab', 'generate', '--seeds', '0', '--outdir', 'out']);
    const png = await readPng(join(app, 'out', 'seed0000.png'));
    assert.deepEqual([png.width, png.height, png.channels], [32, 32, 3]);
    writeFileSync(join(app, 'use.mjs'), [
      "import { createEngine, loadCheckpoint, openGenerator, zFromSeed } from 'stylelab/node';",
      "import { fileURLToPath } from 'node:url';",
      "const dir = fileURLToPath(new URL('./node_modules/stylelab/models/stylegan2-emoji32/', import.meta.url));",
      'const G = openGenerator(createEngine({ threads: 1 }), loadCheckpoint(dir));',
      "const img = await G.generate(zFromSeed(0, G.config.zDim), null, { psi: 1, noiseMode: 'const' });",
      'await G.dispose();',
      'console.log(JSON.stringify({ n: img.length, finite: img.every(Number.isFinite) }));',
    ].join('\n'));
    const r = JSON.parse(await sh(app, process.execPath, ['use.mjs'])) as { n: number; finite: boolean };
    assert.deepEqual(r, { n: 3 * 32 * 32, finite: true });
    assert.ok(!existsSync(join(app, 'node_modules', 'stylelab', 'tests')), 'no tests installed');
  });
});
