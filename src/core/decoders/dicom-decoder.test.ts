// Unit tests of the DICOM decoder on files made with dcmtk's dump2dcm: enhanced MR functional groups (per-frame rescale,
// shared window), MONOCHROME1, and the window rules of window.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeWasmModules } from '../../node/wasm-modules.js';
import { createDicomCodecs } from './dicom-codecs.js';
import { createDicomDecoder, decodeDicomValues } from './dicom-decoder.js';
import { createJpegTurbo } from './jpeg-turbo.js';
import { applyWindow, autoWindow, fromEdges } from './window.js';

const codecs = createDicomCodecs(nodeWasmModules, createJpegTurbo(nodeWasmModules.jpeg));
const LIMITS = { maxPixels: 1_000_000 };
const dir = mkdtempSync(join(tmpdir(), 'dicom-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An enhanced MR: 2 frames of 4 x 4, 12 bits stored; shared Frame VOI LUT 100/200; frame 2 rescaled by 2x - 50. */
const ENHANCED_MR = String.raw`(0002,0010) UI =LittleEndianExplicit
(0008,0016) UI =EnhancedMRImageStorage
(0008,0018) UI [2.25.99]
(0008,0060) CS [MR]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0008) IS [2]
(0028,0010) US 4
(0028,0011) US 4
(0028,0100) US 16
(0028,0101) US 12
(0028,0102) US 11
(0028,0103) US 0
(5200,9229) SQ (Sequence with explicit length #=1)
  (fffe,e000) na (Item with explicit length #=1)
    (0028,9132) SQ (Sequence with explicit length #=1)
      (fffe,e000) na (Item with explicit length #=2)
        (0028,1050) DS [100]
        (0028,1051) DS [200]
      (fffe,e00d) na (ItemDelimitationItem for re-encoding)
    (fffe,e0dd) na (SequenceDelimitationItem for re-encod.)
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
(fffe,e0dd) na (SequenceDelimitationItem for re-encod.)
(5200,9230) SQ (Sequence with explicit length #=2)
  (fffe,e000) na (Item with explicit length #=1)
    (0028,9145) SQ (Sequence with explicit length #=1)
      (fffe,e000) na (Item with explicit length #=2)
        (0028,1052) DS [0]
        (0028,1053) DS [1]
      (fffe,e00d) na (ItemDelimitationItem for re-encoding)
    (fffe,e0dd) na (SequenceDelimitationItem for re-encod.)
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
  (fffe,e000) na (Item with explicit length #=1)
    (0028,9145) SQ (Sequence with explicit length #=1)
      (fffe,e000) na (Item with explicit length #=2)
        (0028,1052) DS [-50]
        (0028,1053) DS [2]
      (fffe,e00d) na (ItemDelimitationItem for re-encoding)
    (fffe,e0dd) na (SequenceDelimitationItem for re-encod.)
  (fffe,e00d) na (ItemDelimitationItem for re-encoding)
(fffe,e0dd) na (SequenceDelimitationItem for re-encod.)
(7fe0,0010) OW 0000\0010\0020\0030\0040\0050\0060\0070\0080\0090\00a0\00b0\00c0\00d0\00e0\00f0\0000\0010\0020\0030\0040\0050\0060\0070\0080\0090\00a0\00b0\00c0\00d0\00e0\00f0
`;

function dump2dcm(text: string, name: string): Uint8Array {
  writeFileSync(join(dir, `${name}.dump`), text);
  execFileSync('dump2dcm', ['+te', join(dir, `${name}.dump`), join(dir, `${name}.dcm`)]);
  return new Uint8Array(readFileSync(join(dir, `${name}.dcm`)));
}

describe('enhanced MR functional groups', () => {
  const bytes = dump2dcm(ENHANCED_MR, 'enhanced');
  const stored = Array.from({ length: 16 }, (_, i) => i * 16);

  it('rescales each frame with its own Pixel Value Transformation', async () => {
    expect(Array.from((await decodeDicomValues(bytes, { ...LIMITS, frame: 1 }, codecs)).values)).toEqual(stored);
    expect(Array.from((await decodeDicomValues(bytes, { ...LIMITS, frame: 2 }, codecs)).values)).toEqual(stored.map((v) => v * 2 - 50));
  });

  it('windows with the shared Frame VOI LUT, defaults to the middle frame, and keeps 16-bit grey', async () => {
    const { image, source } = await createDicomDecoder(codecs).decode(bytes, LIMITS);
    expect(source).toEqual({ format: 'dicom', transferSyntax: '1.2.840.10008.1.2.1', frame: 2, frames: 2, window: { center: 100, width: 200, source: 'dicom' } });
    expect([image.channels, image.bitDepth, image.data.constructor.name]).toEqual([1, 16, 'Uint16Array']);
    // frame 2 value 2 * 96 - 50 = 142 under window 100/200 (DICOM LINEAR): ((142 - 99.5) / 199 + 0.5) * 65535
    expect(image.data[6]).toBe(Math.floor(((142 - 99.5) / 199 + 0.5) * 65535 + 0.5));
  });
});

describe('window rules', () => {
  it('MONOCHROME1 is inverted after the window', async () => {
    const mono1 = dump2dcm(ENHANCED_MR.replace('[MONOCHROME2]', '[MONOCHROME1]'), 'mono1');
    const normal = (await createDicomDecoder(codecs).decode(dump2dcm(ENHANCED_MR, 'mono2'), LIMITS)).image.data;
    const inverted = (await createDicomDecoder(codecs).decode(mono1, LIMITS)).image.data;
    expect(Array.from(inverted)).toEqual(Array.from(normal, (v) => 65535 - v));
  });

  it('the automatic window runs from air to the bright end of the head, for DICOM and NIfTI conventions', () => {
    // 40 % air near 0, a head from 300 to 1300, a few hot pixels at 4000.
    const values = new Float32Array(10_000);
    for (let i = 0; i < values.length; i++) values[i] = i < 4000 ? (i % 7) : i < 9990 ? 300 + ((i * 37) % 1000) : 4000;
    for (const fn of ['linear', 'linear-exact'] as const) {
      const w = autoWindow(values, fn);
      const out = applyWindow(values, w, fn, false);
      expect(out[0]).toBe(0);
      expect(out[9995]).toBe(65535); // hot pixels saturate
      expect(out[4500]).toBeGreaterThan(0);
      expect(out[4500]).toBeLessThan(65535);
      const lo = fn === 'linear' ? w.center - 0.5 - (w.width - 1) / 2 : w.center - w.width / 2;
      const hi = fn === 'linear' ? w.center - 0.5 + (w.width - 1) / 2 : w.center + w.width / 2;
      expect(lo).toBeLessThan(10);
      expect(hi).toBeGreaterThan(1250);
      expect(hi).toBeLessThan(1310);
    }
    expect(fromEdges(0, 4095, 'linear')).toEqual({ center: 2048, width: 4096 });
  });
});
