// The shared HTTP suite over real HTTP against the Node server (the one `npm start` runs), on a free port.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defineHttpSuite } from './http-suite.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;
let logs = '';

/** Starts the server (by default from source; `command` runs it another way, e.g. `npm start`) and waits for its port. */
async function startServer(
  env: Record<string, string> = {},
  command: [string, ...string[]] = [process.execPath, '--import', 'tsx', 'src/node/server.ts'],
): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const proc = spawn(command[0], command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Each server's own output decides its port; `logs` keeps everything for the log-line test.
  let own = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not listen in 60 s:\n${own}`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      own += d.toString();
      logs += d.toString();
      const m = /"port":(\d+)/.exec(own);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (own += d.toString()));
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${own}`)));
  });
  return { child: proc, base, output: () => own };
}

afterAll(() => {
  child?.kill('SIGKILL');
});

defineHttpSuite('Node server over HTTP', async () => {
  const started = await startServer();
  child = started.child;
  return { fetch: (path, init) => fetch(started.base + path, init) };
});

describe('Node server process', () => {
  it('logs one line per request with method, route, status, duration and model version, and no file names', async () => {
    const lines = logs
      .split('\n')
      .filter((l) => l.includes('"msg":"request"'))
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(20);
    const classify = lines.find((l) => l.route === '/v1/classify' && l.status === 200);
    expect(classify).toMatchObject({ method: 'POST', model: expect.stringMatching(/^brain-mri-edge@/) });
    expect(typeof classify.durationMs).toBe('number');
    expect(logs).not.toMatch(/scan\.jpg|glioma-1\.jpg|patient notes/);
  });

  it('finishes a request in flight on SIGTERM, then exits 0', async () => {
    const { child: proc, base } = await startServer();
    for (let i = 0; i < 100 && (await fetch(`${base}/readyz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    const { fixtureBytes, loadFixtures } = await import('./http-suite.js');
    const f = loadFixtures()[0];
    // The body is streamed in two halves around the signal, so the request is provably in flight when SIGTERM lands.
    const bytes = fixtureBytes(f.file);
    let sendRest!: () => void;
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(bytes.subarray(0, bytes.length >> 1));
        await new Promise<void>((r) => (sendRest = r));
        controller.enqueue(bytes.subarray(bytes.length >> 1));
        controller.close();
      },
    });
    const inFlight = fetch(`${base}/v1/saliency`, { method: 'POST', body, headers: { 'content-type': 'image/jpeg' }, duplex: 'half' } as RequestInit);
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    sendRest();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await exited).toBe(0);
  });

  it('answers an upload still running at the end of the grace period with 503 shutting_down, then stops', async () => {
    const { child: proc, base } = await startServer({ SHUTDOWN_GRACE_MS: '400' });
    for (let i = 0; i < 100 && (await fetch(`${base}/readyz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    const { fixtureBytes, loadFixtures } = await import('./http-suite.js');
    const bytes = fixtureBytes(loadFixtures()[0].file);
    // Half the body, then nothing: the upload is still running when the grace period ends.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, bytes.length >> 1));
      },
    });
    const inFlight = fetch(`${base}/v1/classify`, { method: 'POST', body, headers: { 'content-type': 'image/jpeg' }, duplex: 'half' } as RequestInit);
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await res.json()).error).toMatchObject({ code: 'shutting_down', message: expect.stringMatching(/send it again/) });
    expect(await exited).toBe(0);
  });

  it('`npm start` passes SIGTERM on: the server stops with npm, leaving no process behind', async () => {
    const { child: proc, base, output } = await startServer({}, ['npm', 'start', '--silent']);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output()).toMatch(/"msg":"stopped"/);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  }, 90_000);

  it('`npm start` (the bundled server) decodes every DICOM codec it ships: JPEG 2000, JPEG-LS, JPEG lossless, RLE, deflate', async () => {
    // The bundle, not the sources, is what clinics run: the Emscripten codecs once failed there alone (`__dirname`).
    const { child: proc, base } = await startServer({ GATE: 'off' }, ['npm', 'start', '--silent']);
    try {
      const pydicom = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
      const made = mkdtempSync(join(tmpdir(), 'bundled-dicom-'));
      execFileSync('dcmcjpeg', ['+el', join(pydicom, 'MR_small.dcm'), join(made, 'MR_small_jpeg_lossless.dcm')]);
      execFileSync('dcmconv', ['+td', join(pydicom, 'MR_small.dcm'), join(made, 'MR_small_deflate.dcm')]);
      const pathOf = (file: string): string => join(file.includes('jpeg_lossless') || file.includes('deflate') ? made : pydicom, file);
      const answers = new Map<string, unknown>();
      for (const file of ['MR_small.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'MR_small_jpeg_lossless.dcm', 'MR_small_RLE.dcm', 'MR_small_deflate.dcm', 'SC_rgb_jpeg_gdcm.dcm']) {
        const res = await fetch(`${base}/v1/classify`, { method: 'POST', body: readFileSync(pathOf(file)), headers: { 'content-type': 'application/dicom' } });
        const body = await res.json();
        // SC_rgb is not MR: a 422 not_mr after its header is read; every MR file decodes and is classified.
        if (file.startsWith('SC_')) expect(body.error?.code, file).toBe('not_mr');
        else {
          expect(res.status, `${file}: ${JSON.stringify(body)}`).toBe(200);
          answers.set(file, body.probabilities);
        }
      }
      // Lossless syntaxes: the uncompressed file's numbers exactly.
      for (const [file, p] of answers) expect(p, file).toEqual(answers.get('MR_small.dcm'));
    } finally {
      // SIGTERM, which npm passes on: SIGKILL would stop npm alone and leave its server running.
      const exited = new Promise((r) => proc.on('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  }, 90_000);

  it.each([
    ['a missing manifest', (): string => 'test/does-not-exist.manifest.json', /manifest field \\"\(manifest file\)\\": cannot read .*does-not-exist/],
    [
      'an .onnx whose sha256 differs from the manifest',
      (): string => {
        const dir = mkdtempSync(join(tmpdir(), 'brain-mri-model-'));
        const m = JSON.parse(readFileSync(join(ROOT, 'src/node/testdata/tiny-cam.manifest.json'), 'utf8'));
        m.model.sha256 = '0'.repeat(64);
        copyFileSync(join(ROOT, 'src/node/testdata/tiny-cam.onnx'), join(dir, 'tiny-cam.onnx'));
        writeFileSync(join(dir, 'm.json'), JSON.stringify(m));
        return join(dir, 'm.json');
      },
      /manifest field \\"model.sha256\\": the manifest says 0{64} but tiny-cam.onnx hashes to [0-9a-f]{64}/,
    ],
  ] as const)('refuses at start-up %s, exiting 1 with the field named', async (_what, model, message) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/node/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MODEL: model() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(out).toMatch(message);
  });
});
