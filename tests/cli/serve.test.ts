// `stylelab serve` as a user runs it: the line it prints once listening, a taken port, a non-loopback --host.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { CLI, stylelab } from './helpers.js';

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGTERM');
});

/** Starts `stylelab serve` and resolves with its first stdout line (or rejects when it exits first). */
function serve(...args: string[]): Promise<{ line: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, '--threads', '1', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('\n')) ok({ line: out.split('\n')[0]!, child });
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('exit', (code) => fail(new Error(`serve exited (${code}) before listening: ${err}`)));
  });
}

test("prints 'stylelab: serving http://127.0.0.1:PORT/' once it listens, and answers there", async () => {
  const { line, child } = await serve('--port', '0');
  const m = /^stylelab: serving (http:\/\/127\.0\.0\.1:(\d+)\/)$/.exec(line);
  assert.ok(m, `unexpected first line: ${line}`);
  const status = (await (await fetch(`${m[1]}api/status`)).json()) as { sessions: number };
  assert.equal(status.sessions, 0);
  const models = (await (await fetch(`${m[1]}api/models`)).json()) as { id: string }[];
  assert.deepEqual(models.map((x) => x.id), ['stylegan2-emoji32'], 'the bundled model, and nothing else when no --network is given');
  child.kill('SIGTERM');
});

test('a taken port is one clear line and exit code 1, not a stack trace', async () => {
  const blocker = createServer();
  await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const r = await stylelab('serve', '--port', String(port));
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `stylelab: error: port ${port} on 127.0.0.1 is already in use: stop the other server or pick another port with --port\n`);
  } finally {
    blocker.close();
  }
});

test('a non-loopback --host warns that the app has no authentication', async () => {
  // 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning comes, then the bind fails; nothing is exposed.
  const r = await stylelab('serve', '--host', '192.0.2.1', '--port', '0');
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0]!, /^stylelab: warning: listening on 192\.0\.2\.1: the app has no authentication/);
  assert.match(lines[1]!, /^stylelab: error: cannot listen on 192\.0\.2\.1: not an address of this machine$/);
});

test('bad options are refused before anything starts', async () => {
  const r = await stylelab('serve', '--port', '70000');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--port must be at most 65535/);
  const n = await stylelab('serve', '--network', '/no/such/net.pkl', '--port', '0');
  assert.equal(n.code, 1);
  assert.equal(n.stderr, 'stylelab: error: --network /no/such/net.pkl: not found\n');
});
