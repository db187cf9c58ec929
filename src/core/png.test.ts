// The core's PNG helpers: data URLs decode back to the PNG's bytes, for every length remainder.
import { describe, expect, it } from 'vitest';
import { base64, pngDataUrl } from './png.js';

const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 151 + 7) & 255);
const viaBtoa = (b: Uint8Array): string => btoa(String.fromCharCode(...b));

describe('base64', () => {
  it('equals btoa for 0 to 64 bytes (every padding case) and every byte value', () => {
    for (let n = 0; n <= 64; n++) expect(base64(bytes(n)), `${n} bytes`).toBe(viaBtoa(bytes(n)));
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(base64(all)).toBe(viaBtoa(all));
  });

  it('gives a data URL whose payload decodes to the same bytes', () => {
    const png = bytes(100_003);
    const url = pngDataUrl(png);
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const back = Uint8Array.from(atob(url.slice('data:image/png;base64,'.length)), (c) => c.charCodeAt(0));
    expect(back).toEqual(png);
  });
});
