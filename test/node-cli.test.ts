// The `brain-mri` CLI as a user runs it: table and --json output, --heatmap files, per-file failures and exit codes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from './http-suite.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/brain-mri.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
const fixtures = loadFixtures().slice(0, 3);
const paths = fixtures.map((f) => join('test/fixtures', f.file));

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
    const dir = mkdtempSync(join(tmpdir(), 'brain-mri-cli-'));
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
    const dir = mkdtempSync(join(tmpdir(), 'brain-mri-cli-series-'));
    // Names in reverse of the slice order: the rows must follow ImagePositionPatient, not the names.
    for (let i = 0; i < 3; i++) writeFileSync(join(dir, `IM${3 - i}.dcm`), await mrDicom({ size: 96, fixture: `test/fixtures/${fixtures[i].file}`, position: i * 4, instanceNumber: i + 1 }));
    const r = cli('classify', dir, '--json');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { file: string; ok: boolean; input: { format: string; transferSyntax: string } }[];
    expect(rows.map((row) => row.file.split('/').pop())).toEqual(['IM3.dcm', 'IM2.dcm', 'IM1.dcm']);
    expect(rows.every((row) => row.ok && row.input.format === 'dicom' && row.input.transferSyntax === '1.2.840.10008.1.2.1')).toBe(true);
    const nifti = '/usr/lib/python3/dist-packages/nibabel/tests/data/anatomical.nii';
    const n = cli('classify', nifti, '--plane', 'axial', '--slice', '12', '--json');
    expect(n.status, n.stderr).toBe(0);
    expect(JSON.parse(n.stdout)[0].input).toMatchObject({ format: 'nifti', plane: 'axial', slice: 12, slices: 25 });
    const bad = cli('classify', nifti, '--slice', '-1');
    expect(bad.status).toBe(2);
  });
});
