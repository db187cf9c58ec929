// The real DICOM files Debian ships with python3-pydicom, and pydicom's reading of them (test/support/pydicom-reference.py).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
/** Debian's Python (with pydicom, numpy, nibabel), as scripts/python.sh picks it. */
export const PYTHON = '/usr/bin/python3';

export interface Reference {
  file: string;
  ok: boolean;
  error?: string;
  /** All frames, float64: rows x columns x channels each, after the modality LUT (grey) or YBR->RGB (colour). */
  values?: Float64Array;
  frames?: number;
  rows?: number;
  columns?: number;
  channels?: number;
  photometric?: string;
  transferSyntax?: string;
  via?: string;
}

export function corpusAvailable(): boolean {
  return existsSync(PYDICOM_FILES);
}

export function corpusFiles(): string[] {
  return readdirSync(PYDICOM_FILES)
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => join(PYDICOM_FILES, f));
}

/** Runs the reference script once over `files`. */
export function pydicomReferences(files: string[]): Reference[] {
  const out = mkdtempSync(join(tmpdir(), 'pydicom-ref-'));
  execFileSync(PYTHON, [new URL('./pydicom-reference.py', import.meta.url).pathname, out, ...files], { stdio: ['ignore', 'ignore', 'inherit'] });
  const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as (Reference & { data?: string })[];
  return index.map((e) => {
    if (!e.ok || !e.data) return e;
    const bytes = readFileSync(join(out, e.data));
    return { ...e, values: new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8) };
  });
}
