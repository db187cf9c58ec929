// Applies an EXIF orientation (1..8) to decoded pixels, so a phone photo of a scan is upright as on the Node service.
import type { RawImage } from '../image.js';

/** Returns the image as it should be displayed; orientation 1 (or unknown) returns it unchanged. */
export function applyOrientation(image: RawImage, orientation: number): RawImage {
  if (orientation < 2 || orientation > 8) return image;
  const { width: w, height: h, channels: c } = image;
  const swap = orientation >= 5;
  const outW = swap ? h : w;
  const outH = swap ? w : h;
  const src = image.data;
  const out = new (src.constructor as new (n: number) => typeof src)(src.length);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: [sx, sy] = [w - 1 - x, y]; break; // mirror horizontally
        case 3: [sx, sy] = [w - 1 - x, h - 1 - y]; break; // rotate 180
        case 4: [sx, sy] = [x, h - 1 - y]; break; // mirror vertically
        case 5: [sx, sy] = [y, x]; break; // transpose
        case 6: [sx, sy] = [y, h - 1 - x]; break; // rotate 90 clockwise
        case 7: [sx, sy] = [w - 1 - y, h - 1 - x]; break; // transverse
        default: [sx, sy] = [w - 1 - y, x]; break; // 8: rotate 90 counter-clockwise
      }
      const from = (sy * w + sx) * c;
      const to = (y * outW + x) * c;
      for (let k = 0; k < c; k++) out[to + k] = src[from + k];
    }
  }
  return { ...image, data: out, width: outW, height: outH };
}
