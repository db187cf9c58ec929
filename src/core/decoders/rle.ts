// DICOM RLE Lossless (PS3.5 Annex G): one PackBits segment per byte plane, most significant byte first.
//
// Ours because it is forty lines and no maintained RLE package runs everywhere without Node's Buffer; cornerstone's
// RLE decoder sits inside @cornerstonejs/dicom-image-loader, which is not importable on its own.

export class RleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RleError';
  }
}

/**
 * Decodes one frame to little-endian interleaved samples (the native layout: bytesPerSample bytes per sample,
 * samplesPerPixel samples per pixel), ready to be read like uncompressed pixel data.
 */
export function decodeRle(frame: Uint8Array, pixels: number, samplesPerPixel: number, bytesPerSample: number): Uint8Array {
  if (frame.length < 64) throw new RleError('the RLE header is missing');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const expected = samplesPerPixel * bytesPerSample;
  if (segments !== expected) throw new RleError(`the RLE header lists ${segments} segments; ${expected} expected for ${samplesPerPixel} sample(s) of ${bytesPerSample * 8} bits`);
  const offsets: number[] = [];
  for (let i = 0; i < segments; i++) offsets.push(view.getUint32(4 + i * 4, true));
  const out = new Uint8Array(pixels * expected);
  for (let s = 0; s < segments; s++) {
    const start = offsets[s];
    const end = s + 1 < segments ? offsets[s + 1] : frame.length;
    if (start < 64 || start > frame.length || end < start) throw new RleError(`segment ${s + 1} lies outside the frame`);
    // Segment order: sample 0's most significant byte plane first; the native layout is little endian.
    const sample = Math.floor(s / bytesPerSample);
    const byte = bytesPerSample - 1 - (s % bytesPerSample);
    let o = sample * bytesPerSample + byte;
    const step = expected;
    let written = 0;
    let p = start;
    while (p < end && written < pixels) {
      const n = (frame[p] << 24) >> 24; // signed byte
      p++;
      if (n >= 0) {
        const count = Math.min(n + 1, pixels - written, end - p);
        for (let i = 0; i < count; i++, o += step) out[o] = frame[p + i];
        p += n + 1;
        written += count;
      } else if (n !== -128) {
        const count = Math.min(1 - n, pixels - written);
        const value = frame[p++];
        for (let i = 0; i < count; i++, o += step) out[o] = value;
        written += count;
      }
    }
    if (written < pixels) throw new RleError(`segment ${s + 1} decodes to ${written} of ${pixels} bytes (truncated or damaged)`);
  }
  return out;
}
