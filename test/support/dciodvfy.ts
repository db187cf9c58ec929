// Runs dicom3tools' dciodvfy (Debian package dicom3tools) on DICOM bytes and splits its findings into errors and warnings.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DciodvfyReport {
  iod: string;
  errors: string[];
  warnings: string[];
  output: string;
}

/** dciodvfy misreads a piped file of more than a few kB, so the bytes go through a temporary file. */
export function dciodvfy(bytes: Uint8Array): DciodvfyReport {
  const dir = mkdtempSync(join(tmpdir(), 'dciodvfy-'));
  const file = join(dir, 'object.dcm');
  writeFileSync(file, bytes);
  const run = spawnSync('dciodvfy', [file], { encoding: 'latin1', maxBuffer: 16 * 1024 * 1024 });
  rmSync(dir, { recursive: true, force: true });
  if (run.error) throw new Error(`cannot run dciodvfy (${run.error.message}); install it with: apt-get install -y dicom3tools (npm run setup:test does)`);
  const output = `${run.stdout}${run.stderr}`;
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return {
    iod: lines.find((l) => !/^(Error|Warning)/.test(l)) ?? '',
    errors: lines.filter((l) => l.startsWith('Error')),
    warnings: lines.filter((l) => l.startsWith('Warning')),
    output,
  };
}
