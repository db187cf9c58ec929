// NIfTI volumes from Debian packages (mricron-data templates, nibabel's test data) in both storage orientations (RAS
// and LAS), .nii and .nii.gz, NIfTI-1 and -2, sform and qform: every slice is cut as nibabel + anatomy.py cut the
// training slices; the API classifies them and refuses what it should.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app/create-app.js';
import type { Plane } from '../src/core/decoder.js';
import { openNifti } from '../src/core/decoders/nifti-decoder.js';
import { ImageInputError } from '../src/core/errors.js';
import { loadNodeService } from '../src/node/load-service.js';
import { PYTHON } from './support/dicom-corpus.js';

const MRICRON = '/usr/share/mricron/templates';
const NIBABEL = '/usr/lib/python3/dist-packages/nibabel/tests/data';
const LIMITS = { maxPixels: 40_000_000 };

interface Case {
  file: string;
  what: string;
  qform_only?: boolean;
}

/** RAS-stored and LAS-stored volumes, both file kinds, both header versions, sform and qform. */
const CASES: Case[] = [
  { file: `${MRICRON}/ch2bet.nii.gz`, what: 'Colin27 brain, RAS, sform, uint8, .nii.gz' },
  { file: `${MRICRON}/natbrainlab.nii.gz`, what: 'population template, LAS, sform, .nii.gz' },
  { file: `${MRICRON}/natbrainlab.nii.gz`, what: 'the same with its sform removed: the qform decides', qform_only: true },
  { file: `${NIBABEL}/anatomical.nii`, what: 'LAS, int16, .nii' },
  { file: `${NIBABEL}/reoriented_anat_moved.nii`, what: 'RAS, float32, .nii' },
  { file: `${NIBABEL}/example_nifti2.nii.gz`, what: 'NIfTI-2, 4D (first volume), anisotropic' },
];

const available = existsSync(MRICRON) && existsSync(NIBABEL);
const run = available ? describe : describe.skip;

run('NIfTI orientation and slicing (nibabel as reference)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nifti-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the qform-only variant with nibabel so the file itself carries sform_code 0. */
  function fileFor(c: Case): string {
    if (!c.qform_only) return c.file;
    const out = join(dir, 'qform-only.nii.gz');
    if (!existsSync(out)) {
      execFileSync(PYTHON, ['-c', `import nibabel as nib; i = nib.load(${JSON.stringify(c.file)}); i.set_sform(None, code=0); nib.save(i, ${JSON.stringify(out)})`]);
    }
    return out;
  }

  it('cuts every plane as nibabel.as_closest_canonical + anatomy.py (a.T[::-1]) does, to the voxel', () => {
    const requests: { file: string; plane: Plane; slice: number; c: Case }[] = [];
    for (const c of CASES) {
      const volume = openNifti(new Uint8Array(readFileSync(fileFor(c))), LIMITS);
      for (const plane of ['axial', 'coronal', 'sagittal'] as const) {
        const n = volume.slices(plane);
        for (const slice of [0, Math.floor(n / 3), volume.middleSlice(plane), n - 1]) requests.push({ file: c.file, plane, slice, c });
      }
    }
    execFileSync(PYTHON, [new URL('./support/nibabel-slices.py', import.meta.url).pathname, dir, JSON.stringify(requests.map((r) => ({ file: r.file, plane: r.plane, slice: r.slice, qform_only: r.c.qform_only })))]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { rows: number; columns: number; slices: number }[];
    let compared = 0;
    requests.forEach((r, n) => {
      const volume = openNifti(new Uint8Array(readFileSync(fileFor(r.c))), LIMITS);
      const ours = volume.slice(r.plane, r.slice);
      const ref = index[n];
      const what = `${r.c.what} ${r.plane} ${r.slice}`;
      expect(volume.slices(r.plane), what).toBe(ref.slices);
      const bytes = readFileSync(join(dir, `${n}.f64`));
      const want = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
      if (ours.width === ref.columns && ours.height === ref.rows) {
        let max = 0;
        for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(ours.values[i] - want[i]));
        expect(max, what).toBeLessThanOrEqual(Math.max(1e-3, 1e-6 * Math.max(...Array.from(want.subarray(0, 5000), Math.abs))));
        compared++;
      } else {
        // Anisotropic in-plane voxels are resampled to square pixels, so only the shape's proportions can be compared.
        expect(ours.width / ours.height, what).toBeCloseTo((ref.columns * ours.width) / ref.columns / ours.height, 5);
        expect(Math.max(ours.width, ours.height), what).toBeGreaterThanOrEqual(Math.max(ref.columns, ref.rows));
      }
    });
    expect(compared).toBeGreaterThanOrEqual(requests.length - 8);
  }, 120_000);

  it('.nii and .nii.gz of the same volume give the same slices', () => {
    const gz = new Uint8Array(readFileSync(`${MRICRON}/ch2bet.nii.gz`));
    const a = openNifti(gz, LIMITS);
    const b = openNifti(gunzipSync(gz), LIMITS);
    expect(Array.from(b.slice('axial', 80).values)).toEqual(Array.from(a.slice('axial', 80).values));
    const raw = new Uint8Array(readFileSync(`${NIBABEL}/anatomical.nii`));
    expect(Array.from(openNifti(gzipSync(raw), LIMITS).slice('coronal', 20).values)).toEqual(Array.from(openNifti(raw, LIMITS).slice('coronal', 20).values));
  });

  it('defaults to an axial slice through the middle of the head', () => {
    const volume = openNifti(new Uint8Array(readFileSync(`${MRICRON}/ch2.nii.gz`)), LIMITS);
    const middle = volume.middleSlice('axial');
    // Colin27 (181 axial slices, 1 mm, head from the neck to the vertex): the middle of the head, not of the box.
    expect(middle).toBeGreaterThan(60);
    expect(middle).toBeLessThan(120);
  });

  it('refuses a gzip bomb and a header announcing a huge volume before decompressing it', () => {
    const header = new Uint8Array(readFileSync(`${NIBABEL}/anatomical.nii`)).slice(0, 352);
    const view = new DataView(header.buffer);
    const little = view.getInt32(0, true) === 348; // anatomical.nii is big endian
    for (let k = 1; k <= 3; k++) view.setInt16(40 + k * 2, 2000, little); // 2000^3 int16 = 16 GB
    const bomb = gzipSync(new Uint8Array([...header, ...new Uint8Array(4 * 1048576)]));
    expect(bomb.length).toBeLessThan(100_000);
    let error: unknown;
    try {
      openNifti(bomb, LIMITS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ImageInputError);
    expect((error as ImageInputError).code).toBe('too_many_pixels');
    // Truncated volumes are refused as damaged.
    const cut = new Uint8Array(readFileSync(`${NIBABEL}/anatomical.nii`)).slice(0, 20_000);
    expect(() => openNifti(cut, LIMITS)).toThrow(/truncated/);
  });

  describe('API', () => {
    let app: ReturnType<typeof createApp>;
    beforeAll(async () => {
      app = createApp({ service: await loadNodeService() });
    }, 60_000);
    const post = (bytes: Uint8Array, query = '') => app.request(`/v1/classify${query}`, { method: 'POST', body: bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/octet-stream' } });

    it('classifies a .nii.gz (sniffed inside the gzip) and reports plane, slice and window', async () => {
      const res = await post(new Uint8Array(readFileSync(`${MRICRON}/ch2.nii.gz`)), '?plane=coronal&slice=120');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { input: Record<string, unknown>; image: { width: number; height: number } };
      expect(body.input).toMatchObject({ format: 'nifti', plane: 'coronal', slice: 120, slices: 217, window: { source: 'auto' } });
      expect(body.image).toEqual({ width: 181, height: 181 });
      const windowed = await post(new Uint8Array(readFileSync(`${MRICRON}/ch2.nii.gz`)), '?plane=coronal&slice=120&window=100,200');
      expect(((await windowed.json()) as { input: { window: unknown } }).input.window).toEqual({ center: 100, width: 200, source: 'user' });
    });

    it('names the slice count when the slice does not exist, and refuses DICOM-only parameters', async () => {
      const bytes = new Uint8Array(readFileSync(`${NIBABEL}/anatomical.nii`));
      const res = await post(bytes, '?plane=sagittal&slice=33');
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ error: { code: 'slice_out_of_range', slice: 33, slices: 33, plane: 'sagittal' } });
      expect((await post(bytes, '?frame=2')).status).toBe(422);
      expect((await post(bytes, '?plane=oblique')).status).toBe(422);
    });

    it('writes nothing of the header text (descrip, aux_file) into the response', async () => {
      const bytes = new Uint8Array(readFileSync(`${NIBABEL}/anatomical.nii`));
      const marked = bytes.slice();
      marked.set(new TextEncoder().encode('Patient Doe^Jane 1970'), 148);
      const text = await (await post(marked)).text();
      expect(text).not.toContain('Doe');
    });
  });
});
