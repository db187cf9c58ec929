// The one pixel-count check every decoder runs on header dimensions before it allocates pixel memory.
import { ImageInputError } from '../errors.js';

export function checkPixelLimit(width: number, height: number, maxPixels: number): void {
  const pixels = width * height;
  if (pixels > maxPixels) {
    throw new ImageInputError(
      'too_many_pixels',
      `The image is ${width} x ${height} = ${pixels} pixels; the limit is ${maxPixels} pixels. Downscale it (the model sees a few hundred pixels a side anyway) and retry.`,
    );
  }
}
