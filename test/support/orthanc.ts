// Starts the Debian package's Orthanc for a test: own JSON config, free loopback ports, temporary storage, Basic auth.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestOrthanc {
  url: string;
  username: string;
  password: string;
  dicomPort: number;
  /** AE title the test's storescu must use (the only modality allowed to store, and only from 127.0.0.1). */
  scuAet: string;
  dir: string;
  /** GET/POST against Orthanc's REST API with the test credentials. */
  api(path: string, init?: RequestInit): Promise<Response>;
  json<T = unknown>(path: string): Promise<T>;
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `plugins`: shared libraries to load (e.g. Debian's orthanc-webviewer for screenshots); none by default. */
export async function startOrthanc(options: { stableAgeSeconds?: number; plugins?: string[] } = {}): Promise<TestOrthanc> {
  const dir = mkdtempSync(join(tmpdir(), 'orthanc-test-'));
  const [httpPort, dicomPort] = [await freePort(), await freePort()];
  const username = 'brain-mri-test';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const scuAet = 'TESTSCU';
  const config = {
    Name: 'brain-mri-test',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'storage'),
    HttpPort: httpPort,
    // Orthanc 1.10 has no bind address: the HTTP server answers loopback only when remote access is off.
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [username]: password },
    DicomServerEnabled: true,
    DicomPort: dicomPort,
    DicomAet: 'ORTHANC',
    DicomCheckCalledAet: true,
    // The DICOM port cannot be bound to loopback in 1.10, so only one known AE title from 127.0.0.1 may store.
    DicomAlwaysAllowEcho: false,
    DicomAlwaysAllowStore: false,
    DicomCheckModalityHost: true,
    DicomModalities: { scanner: [scuAet, '127.0.0.1', 104] },
    StableAge: options.stableAgeSeconds ?? 1,
    Plugins: options.plugins ?? [],
    HttpDescribeErrors: true,
  };
  const configPath = join(dir, 'orthanc.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  let output = '';
  const child: ChildProcess = spawn('Orthanc', [configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  const url = `http://127.0.0.1:${httpPort}`;
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const api = (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('Authorization', auth);
    return fetch(`${url}${path}`, { ...init, headers });
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (spawnError) throw new Error(`cannot start Orthanc (${spawnError.message}); install it with: apt-get install -y orthanc (npm run setup:test does)`);
    if (child.exitCode !== null) throw new Error(`Orthanc exited with code ${child.exitCode}:\n${output.slice(-2000)}`);
    try {
      if ((await api('/system')).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Orthanc did not answer within 20 s:\n${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url,
    username,
    password,
    dicomPort,
    scuAet,
    dir,
    api,
    async json<T>(path: string): Promise<T> {
      const res = await api(path);
      if (!res.ok) throw new Error(`Orthanc ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    log: () => output,
    stop,
  };
}
