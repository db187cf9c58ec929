// The real DICOM files of Debian's python3-pydicom: every image-bearing file decodes, in Node and in workerd, to the
// numbers pydicom reads (after the modality LUT; YBR as RGB), or is refused with a 4xx code; damaged files never 5xx.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app/create-app.js';
import { INPUT_ERROR_STATUS } from '../src/app/errors.js';
import { createDicomCodecs } from '../src/core/decoders/dicom-codecs.js';
import { decodeDicomValues, openDicom } from '../src/core/decoders/dicom-decoder.js';
import { renderSlice } from '../src/core/decoders/window.js';
import { createJpegTurbo } from '../src/core/decoders/jpeg-turbo.js';
import { transferSyntax } from '../src/core/decoders/transfer-syntax.js';
import { ImageInputError } from '../src/core/errors.js';
import { loadNodeService, nodeInputDecoder } from '../src/node/load-service.js';
import { mrDicom } from '../scripts/mr-dicom.js';
import { nodeWasmModules } from '../src/node/wasm-modules.js';
import { corpusAvailable, corpusFiles, PYDICOM_FILES, pydicomReferences, type Reference } from './support/dicom-corpus.js';
import { startWorker, type RunningWorker } from './support/worker-server.js';

const codecs = createDicomCodecs(nodeWasmModules, createJpegTurbo(nodeWasmModules.jpeg));
const LIMITS = { maxPixels: 40_000_000 };

/**
 * Files pydicom reads that we refuse, and why. SC_rgb_jpeg.dcm declares explicit VR but is encoded otherwise; pydicom
 * guesses, dcmtk's dcmdump and dicom-parser stop: a clear 400 is the right answer for a file that contradicts itself.
 */
const REFUSED: Record<string, string> = { 'SC_rgb_jpeg.dcm': 'corrupt_image' };

/** Largest difference allowed per transfer syntax: lossless exact; lossy syntaxes one level (measured: 0, same libjpeg). */
const tolerance = (ts: string | undefined): number => (ts && transferSyntax(ts)?.lossy ? 1 : 0);

type Decoded = { values: ArrayLike<number>; width: number; height: number; channels: number; frames: number };
type Decode = (bytes: Uint8Array, frame: number) => Promise<Decoded | { code: string }>;

async function nodeDecode(bytes: Uint8Array, frame: number): Promise<Decoded | { code: string }> {
  try {
    return await decodeDicomValues(bytes, { ...LIMITS, frame }, codecs);
  } catch (error) {
    if (error instanceof ImageInputError) return { code: error.code };
    throw error;
  }
}

function maxDifference(got: ArrayLike<number>, want: Float64Array): number {
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
  return max;
}

async function checkAgainstReference(ref: Reference, decode: Decode): Promise<void> {
  const name = basename(ref.file);
  const bytes = new Uint8Array(readFileSync(ref.file));
  if (!ref.ok) {
    // pydicom cannot read it either: ours decodes it or refuses with an input error, never a crash.
    const got = await decode(bytes, 1);
    if ('code' in got) expect(INPUT_ERROR_STATUS[got.code as keyof typeof INPUT_ERROR_STATUS], `${name}: ${got.code}`).toBeGreaterThanOrEqual(400);
    else expect(got.width * got.height, name).toBeGreaterThan(0);
    return;
  }
  if (REFUSED[name]) {
    expect(await decode(bytes, 1), name).toEqual({ code: REFUSED[name] });
    return;
  }
  const n = ref.rows! * ref.columns! * ref.channels!;
  for (let frame = 1; frame <= ref.frames!; frame++) {
    const got = await decode(bytes, frame);
    if ('code' in got) throw new Error(`${name} frame ${frame}: refused with ${got.code}, pydicom reads it`);
    expect([got.height, got.width, got.channels, got.frames], name).toEqual([ref.rows, ref.columns, ref.channels, ref.frames]);
    const want = ref.values!.subarray((frame - 1) * n, frame * n);
    // float32 modality values: exact below 2^24; the 32-bit RT dose files need a relative bound.
    const scale = Math.max(1, ...Array.from(want.subarray(0, 4096), Math.abs)) * 2 ** -23;
    expect(maxDifference(got.values, want), `${name} frame ${frame} (${ref.transferSyntax}, via ${ref.via})`).toBeLessThanOrEqual(tolerance(ref.transferSyntax) + scale);
  }
}

const run = corpusAvailable() ? describe : describe.skip;

run('pydicom test files (Debian python3-pydicom)', () => {
  const files = corpusAvailable() ? corpusFiles() : [];
  let refs: Reference[] = [];
  let worker: RunningWorker | undefined;

  beforeAll(async () => {
    refs = pydicomReferences(files);
    worker = await startWorker({ main: 'test/support/dicom-probe-worker.ts' });
  }, 120_000);
  afterAll(async () => {
    await worker?.dispose();
  });

  it('covers the corpus: at least 40 image-bearing files that pydicom reads', () => {
    expect(refs.filter((r) => r.ok).length).toBeGreaterThanOrEqual(40);
    expect(refs.map((r) => basename(r.file))).toContain('MR_small_jpeg_ls_lossless.dcm');
  });

  it('Node: every file decodes to pydicom\'s numbers, or is refused with a 4xx code', async () => {
    for (const ref of refs) await checkAgainstReference(ref, nodeDecode);
  });

  it('workerd: the same numbers from the bundled codecs (CompiledWasm modules, no nodejs_compat)', async () => {
    const workerDecode: Decode = async (bytes, frame) => {
      const res = await worker!.fetch(`/?frame=${frame}`, { method: 'POST', body: bytes as Uint8Array<ArrayBuffer> });
      if (res.status === 500) throw new Error(`workerd crashed: ${await res.text()}`);
      if (res.status !== 200) return { code: ((await res.json()) as { code: string }).code };
      const meta = JSON.parse(res.headers.get('x-meta')!) as Omit<Decoded, 'values'>;
      return { ...meta, values: new Float64Array(await res.arrayBuffer()) };
    };
    for (const ref of refs) await checkAgainstReference(ref, workerDecode);
  }, 120_000);

  it('windowing through the value table gives the pixels windowing value by value gives, on every grey file', async () => {
    let tabled = 0;
    for (const ref of refs.filter((r) => r.ok && r.channels === 1 && !REFUSED[basename(r.file)])) {
      const scan = openDicom(new Uint8Array(readFileSync(ref.file)), { ...LIMITS, requireMr: false }, codecs);
      for (const frame of [1, scan.frames]) {
        const slice = await scan.slice(frame);
        if (slice.kind !== 'grey' || !slice.coded) continue;
        tabled++;
        const { coded, ...plain } = slice;
        expect(coded.table.length, basename(ref.file)).toBeLessThanOrEqual(65536);
        const direct = { ...plain, values: slice.values };
        for (const window of [undefined, { center: 100, width: 300 }]) {
          expect(Buffer.from(renderSlice(slice, window).image.data.buffer).equals(Buffer.from(renderSlice(direct, window).image.data.buffer)), `${basename(ref.file)} frame ${frame}`).toBe(true);
        }
      }
    }
    expect(tabled).toBeGreaterThanOrEqual(12);
  });

  it('truncated and damaged files get a 4xx input error, never anything else', async () => {
    const decoder = nodeInputDecoder();
    const sources = ['MR_small.dcm', 'MR_small_RLE.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'JPGExtended.dcm', 'MR_small_bigendian.dcm', 'image_dfl.dcm'];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let refused = 0;
    for (const name of sources) {
      const bytes = new Uint8Array(readFileSync(`${PYDICOM_FILES}/${name}`));
      const variants: Uint8Array[] = [];
      for (const fraction of [0.05, 0.2, 0.5, 0.8, 0.95, 0.999]) variants.push(bytes.slice(0, Math.floor(bytes.length * fraction)));
      for (let k = 0; k < 6; k++) {
        const damaged = bytes.slice();
        const from = Math.floor(bytes.length * (0.3 + 0.7 * random()));
        for (let i = 0; i < 16; i++) damaged[Math.min(bytes.length - 1, from + i)] = Math.floor(random() * 256);
        variants.push(damaged);
      }
      for (const variant of variants) {
        try {
          await decoder.decode(variant, { maxPixels: 40_000_000, params: {} });
        } catch (error) {
          if (!(error instanceof ImageInputError)) throw new Error(`${name}: ${(error as Error).stack}`);
          expect(INPUT_ERROR_STATUS[error.code]).toBeGreaterThanOrEqual(400);
          expect(INPUT_ERROR_STATUS[error.code]).toBeLessThan(500);
          refused++;
        }
      }
    }
    // Truncations before the end of the pixel data are all refused.
    expect(refused).toBeGreaterThanOrEqual(sources.length * 5);
  });
});

describe('DICOM over HTTP (Node app): parameters and refusals', () => {
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    // The DICOM parameters and refusals, not the input gate: pydicom's 64 x 64 MR_small is no brain slice to the gate.
    app = createApp({ service: await loadNodeService({ gate: false }) });
  }, 60_000);
  const post = (bytes: Uint8Array, query = '') =>
    app.request(`/v1/classify${query}`, { method: 'POST', body: bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/dicom' } });
  const file = (name: string) => new Uint8Array(readFileSync(`${PYDICOM_FILES}/${name}`));

  it('a multi-frame MR opens on its middle frame, takes frame=, and names the frame count when out of range', async () => {
    const bytes = await mrDicom({ size: 96, frames: 5, window: { center: 2040, width: 4080 } });
    const res = await post(bytes);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { input: unknown }).input).toMatchObject({ format: 'dicom', frame: 3, frames: 5, window: { source: 'dicom' } });
    expect(((await (await post(bytes, '?frame=5')).json()) as { input: { frame: number } }).input.frame).toBe(5);
    const out = await post(bytes, '?frame=6');
    expect(out.status).toBe(422);
    expect(await out.json()).toMatchObject({ error: { code: 'frame_out_of_range', frame: 6, frames: 5 } });
    expect((await post(bytes, '?frame=0')).status).toBe(422);
  });

  it('refuses other modalities with not_mr naming the modality, before decoding pixels', async () => {
    const res = await post(file('CT_small.dcm'));
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'not_mr', modality: 'CT' } });
  });

  it('refuses an unsupported transfer syntax with 415 naming its UID and the supported ones', async () => {
    // JPEG 2000 Part 2 (.92): same length as .90, so only the meta header's UID changes.
    const bytes = file('MR_small_jp2klossless.dcm');
    const text = Buffer.from(bytes).toString('latin1');
    const at = text.indexOf('1.2.840.10008.1.2.4.90');
    bytes.set(new TextEncoder().encode('1.2.840.10008.1.2.4.92'), at);
    const res = await post(bytes);
    expect(res.status).toBe(415);
    const body = (await res.json()) as { error: { code: string; message: string; transferSyntax: string; supported: string[] } };
    expect(body.error.code).toBe('unsupported_transfer_syntax');
    expect(body.error.transferSyntax).toBe('1.2.840.10008.1.2.4.92');
    expect(body.error.message).toContain('1.2.840.10008.1.2.4.92 (JPEG 2000 Part 2');
    expect(body.error.supported).toContain('1.2.840.10008.1.2.4.80');
    expect(body.error.supported).toHaveLength(13);
  });

  it('applies a user window, and the auto window when the file has none; never echoes identifiers', async () => {
    const windowed = (await (await post(file('MR_small.dcm'), '?window=600,1200')).json()) as { input: { window: unknown } };
    expect(windowed.input.window).toEqual({ center: 600, width: 1200, source: 'user' });
    const auto = (await (await post(await mrDicom({ size: 96 }))).json()) as { input: { window: { source: string; width: number } } };
    expect(auto.input.window.source).toBe('auto');
    expect(auto.input.window.width).toBeGreaterThan(1000); // a 12-bit range, not 8-bit
    const text = await (await post(file('MR_small.dcm'))).text();
    // MR_small's patient name and ID (pydicom's test data): never in a response.
    expect(text).not.toMatch(/CompressedSamples|MR1|4MR1/);
    expect((await post(file('MR_small.dcm'), '?window=600,0')).status).toBe(422);
    expect((await post(file('MR_small.dcm'), '?window=abc')).status).toBe(422);
  });
});
