// Transfer-syntax matrix: fixture slices written as MR DICOM, re-encoded with Debian's real encoders (dcmtk, GDCM);
// every syntax gives the uncompressed file's class (lossless: the same pixels and numbers; lossy: the reference
// decoder's pixels), and the Worker gives Node's answer for every file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDicomCodecs } from '../src/core/decoders/dicom-codecs.js';
import { decodeDicomValues } from '../src/core/decoders/dicom-decoder.js';
import { createJpegTurbo } from '../src/core/decoders/jpeg-turbo.js';
import { analyse, type Service } from '../src/core/service.js';
import { loadNodeService } from '../src/node/load-service.js';
import { nodeWasmModules } from '../src/node/wasm-modules.js';
import { mrDicom } from '../scripts/mr-dicom.js';
import { startWorker, type RunningWorker } from './support/worker-server.js';

interface Variant {
  name: string;
  transferSyntax: string;
  lossless: boolean;
  /** The encoder, from the uncompressed file `in` to `out`. */
  command: (input: string, output: string) => [string, ...string[]];
}

const V = (name: string, transferSyntax: string, lossless: boolean, command: Variant['command']): Variant => ({ name, transferSyntax, lossless, command });

const COMMON: Variant[] = [
  V('implicit VR LE', '1.2.840.10008.1.2', true, (i, o) => ['dcmconv', '+ti', i, o]),
  V('explicit VR BE', '1.2.840.10008.1.2.2', true, (i, o) => ['dcmconv', '+tb', i, o]),
  V('deflated', '1.2.840.10008.1.2.1.99', true, (i, o) => ['dcmconv', '+td', i, o]),
  V('JPEG lossless P14', '1.2.840.10008.1.2.4.57', true, (i, o) => ['dcmcjpeg', '+el', i, o]),
  V('JPEG lossless SV1', '1.2.840.10008.1.2.4.70', true, (i, o) => ['dcmcjpeg', '+e1', i, o]),
  V('JPEG-LS lossless', '1.2.840.10008.1.2.4.80', true, (i, o) => ['dcmcjpls', '+el', i, o]),
  V('JPEG-LS near-lossless', '1.2.840.10008.1.2.4.81', false, (i, o) => ['dcmcjpls', '+en', i, o]),
  V('RLE', '1.2.840.10008.1.2.5', true, (i, o) => ['dcmcrle', i, o]),
  V('JPEG 2000 lossless', '1.2.840.10008.1.2.4.90', true, (i, o) => ['gdcmconv', '--j2k', i, o]),
  V('JPEG 2000 lossy', '1.2.840.10008.1.2.4.91', false, (i, o) => ['gdcmconv', '--j2k', '--lossy', '-r', '5', i, o]),
];

const MATRIX: Record<'12-bit' | '8-bit', Variant[]> = {
  '12-bit': [...COMMON, V('JPEG extended 12-bit', '1.2.840.10008.1.2.4.51', false, (i, o) => ['dcmcjpeg', '+ee', '+q', '95', i, o])],
  '8-bit': [
    ...COMMON,
    V('JPEG baseline', '1.2.840.10008.1.2.4.50', false, (i, o) => ['dcmcjpeg', '+eb', '+q', '95', i, o]),
    V('JPEG extended 8-bit', '1.2.840.10008.1.2.4.51', false, (i, o) => ['dcmcjpeg', '+ee', '+q', '95', i, o]),
  ],
};

const FIXTURES = ['glioma-1.jpg', 'pituitary-1.jpg'];
const codecs = createDicomCodecs(nodeWasmModules, createJpegTurbo(nodeWasmModules.jpeg));
const LIMITS = { maxPixels: 40_000_000 };

interface Made {
  fixture: string;
  depth: '12-bit' | '8-bit';
  variant?: Variant;
  bytes: Uint8Array;
}

describe('transfer-syntax matrix (dcmtk, GDCM)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dicom-matrix-'));
  const made: Made[] = [];
  let service: Service;
  let worker: RunningWorker | undefined;

  beforeAll(async () => {
    for (const fixture of FIXTURES) {
      for (const depth of ['12-bit', '8-bit'] as const) {
        const base = await mrDicom({ fixture: `test/fixtures/images/${fixture}`, size: 256, bitsAllocated: depth === '8-bit' ? 8 : 16 });
        const input = join(dir, `${fixture}-${depth}.dcm`);
        writeFileSync(input, base);
        made.push({ fixture, depth, bytes: base });
        for (const variant of MATRIX[depth]) {
          const output = join(dir, `${fixture}-${depth}-${variant.name.replace(/\W+/g, '_')}.dcm`);
          const [cmd, ...args] = variant.command(input, output);
          execFileSync(cmd, args, { stdio: 'ignore' });
          made.push({ fixture, depth, variant, bytes: new Uint8Array(readFileSync(output)) });
        }
      }
      // dcmtk's own writer: the fixture JPEG wrapped as is (JPEG baseline), against its decompressed copy.
      const jpeg = join(dir, `${fixture}-img2dcm.dcm`);
      const raw = join(dir, `${fixture}-img2dcm-raw.dcm`);
      execFileSync('img2dcm', ['-k', 'Modality=MR', `test/fixtures/images/${fixture}`, jpeg], { stdio: 'ignore' });
      execFileSync('dcmdjpeg', [jpeg, raw], { stdio: 'ignore' });
      made.push({ fixture, depth: '8-bit', variant: V('img2dcm JPEG baseline', '1.2.840.10008.1.2.4.50', false, () => ['true']), bytes: new Uint8Array(readFileSync(jpeg)) });
      made.push({ fixture: `${fixture} (img2dcm)`, depth: '8-bit', bytes: new Uint8Array(readFileSync(raw)) });
    }
    service = await loadNodeService();
    worker = await startWorker();
  }, 180_000);

  afterAll(async () => {
    await worker?.dispose();
    await service?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  const baseOf = (m: Made): Made =>
    made.find((b) => !b.variant && b.depth === m.depth && b.fixture === (m.variant?.name.startsWith('img2dcm') ? `${m.fixture} (img2dcm)` : m.fixture))!;

  it('each encoder wrote the transfer syntax it was asked for', async () => {
    const variants = made.filter((m) => m.variant);
    expect(variants.length).toBe(FIXTURES.length * (MATRIX['12-bit'].length + MATRIX['8-bit'].length + 1));
    for (const m of variants) {
      const decoded = await decodeDicomValues(m.bytes, LIMITS, codecs);
      expect(decoded.transferSyntax, m.variant!.name).toBe(m.variant!.transferSyntax);
    }
  });

  it('lossless syntaxes decode to exactly the uncompressed pixels', async () => {
    for (const m of made.filter((x) => x.variant?.lossless)) {
      const [got, want] = await Promise.all([decodeDicomValues(m.bytes, LIMITS, codecs), decodeDicomValues(baseOf(m).bytes, LIMITS, codecs)]);
      expect(Array.from(got.values), `${m.fixture} ${m.depth} ${m.variant!.name}`).toEqual(Array.from(want.values));
    }
  });

  it('lossy syntaxes decode to the reference decoder\'s pixels (GDCM), clamped to bits stored, within 35 dB of the original', async () => {
    for (const m of made.filter((x) => x.variant && !x.variant.lossless)) {
      const what = `${m.fixture} ${m.depth} ${m.variant!.name}`;
      const compressed = join(dir, 'lossy.dcm');
      const reference = join(dir, 'lossy-raw.dcm');
      writeFileSync(compressed, m.bytes);
      execFileSync('gdcmconv', ['--raw', compressed, reference], { stdio: 'ignore' });
      const [got, ref, original] = await Promise.all([
        decodeDicomValues(m.bytes, LIMITS, codecs),
        decodeDicomValues(new Uint8Array(readFileSync(reference)), LIMITS, codecs),
        decodeDicomValues(baseOf(m).bytes, LIMITS, codecs),
      ]);
      // GDCM keeps a lossy codec's overshoot by widening bits stored; the service clamps it (a wrap would turn the
      // brightest pixels black).
      const top = m.depth === '12-bit' ? 4095 : 255;
      let worst = 0;
      let squared = 0;
      for (let i = 0; i < got.values.length; i++) {
        worst = Math.max(worst, Math.abs(got.values[i] - Math.min(top, ref.values[i])));
        squared += (got.values[i] - original.values[i]) ** 2;
      }
      // libjpeg-turbo's IDCT against GDCM's IJG build may round one level apart; OpenJPEG and CharLS agree exactly.
      expect(worst, what).toBeLessThanOrEqual(m.variant!.transferSyntax.endsWith('.4.50') || m.variant!.transferSyntax.endsWith('.4.51') ? 1 : 0);
      expect(10 * Math.log10(top ** 2 / (squared / got.values.length)), what).toBeGreaterThan(35);
    }
  });

  it('Node: every syntax gives the uncompressed file\'s class, probabilities equal where it is lossless', async () => {
    for (const m of made.filter((x) => x.variant)) {
      const [got, want] = await Promise.all([analyse(service, m.bytes, LIMITS), analyse(service, baseOf(m).bytes, LIMITS)]);
      const what = `${m.fixture} ${m.depth} ${m.variant!.name}`;
      expect(got.inference.label, what).toBe(want.inference.label);
      // Lossy pixels are checked against the reference decoder above; how far they move the probabilities (up to 0.015
      // at 50 dB for JPEG 2000 ratio 5) is the model's sensitivity, so only the class is asked of them.
      if (m.variant!.lossless) expect(got.inference.probabilities, what).toEqual(want.inference.probabilities);
      expect(got.input.source.transferSyntax).toBe(m.variant!.transferSyntax);
    }
  });

  it('Worker (workerd): the same class and probabilities as Node for every syntax, within 1e-6', async () => {
    for (const m of made.filter((x) => x.variant)) {
      const node = await analyse(service, m.bytes, LIMITS);
      const res = await worker!.fetch('/v1/classify', { method: 'POST', body: m.bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/dicom' } });
      const what = `${m.fixture} ${m.depth} ${m.variant!.name}`;
      expect(res.status, what).toBe(200);
      const body = (await res.json()) as { label: string; probabilities: Record<string, number>; input: { transferSyntax: string } };
      expect(body.label, what).toBe(node.inference.label);
      for (const [label, p] of Object.entries(node.inference.probabilities)) expect(Math.abs(body.probabilities[label] - p), `${what} ${label}`).toBeLessThanOrEqual(1e-6);
      expect(body.input.transferSyntax).toBe(m.variant!.transferSyntax);
    }
  }, 120_000);
});
