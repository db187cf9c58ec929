// The one admission check every decoder runs on header values before it allocates pixel memory.
import type { DecodeLimits } from '../decoder.js';
import { ImageInputError } from '../errors.js';

export interface PixelHeader {
  width: number;
  height: number;
  /** Samples per pixel as decoded (1 grey, 3 RGB, ...). */
  channels: number;
  /** 1 for 8-bit samples, 2 for 16-bit. */
  bytesPerSample: number;
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0)} MB`;

/** Refuses by pixel count, then by the bytes the decoded samples would take. */
export function admit(header: PixelHeader, limits: DecodeLimits): void {
  const { width, height, channels, bytesPerSample } = header;
  const pixels = width * height;
  if (pixels > limits.maxPixels) {
    throw new ImageInputError(
      'too_many_pixels',
      `The image is ${width} x ${height} = ${pixels} pixels; the limit is ${limits.maxPixels} pixels. Downscale it (the model sees a few hundred pixels a side anyway) and retry.`,
    );
  }
  const bytes = pixels * channels * bytesPerSample;
  if (limits.maxDecodedBytes !== undefined && bytes > limits.maxDecodedBytes) {
    const depth = `${channels} channel${channels === 1 ? '' : 's'} of ${bytesPerSample * 8}-bit samples`;
    throw new ImageInputError(
      'too_many_pixels',
      `The image is ${width} x ${height} with ${depth}: ${mb(bytes)} once decoded; the limit is ${mb(limits.maxDecodedBytes)}. Send it smaller, or as 8-bit greyscale.`,
    );
  }
}
