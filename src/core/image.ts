// The one image type every decoder returns and all preprocessing and saliency code consumes, and its one grey conversion.

/** Interleaved pixels, row-major, top-left first. 16-bit data keeps full depth until preprocessing. */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray | Uint16Array;
  width: number;
  height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  /** 8 or 16; defaults to 8 when data is a byte array. */
  bitDepth?: 8 | 16;
}

/** Opaque 8-bit RGBA pixels, as a canvas or a PNG encoder takes them. */
export interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export function bitDepthOf(image: RawImage): 8 | 16 {
  return image.bitDepth ?? (image.data instanceof Uint16Array ? 16 : 8);
}

/**
 * Grey 0..255 floats of every pixel: Rec.601 luma (0.299 R + 0.587 G + 0.114 B) without rounding, alpha ignored, 16-bit
 * samples divided by 257. Preprocessing, the overlay's background and the kiosk's display all read the scan through this.
 */
export function greyPlane(image: RawImage): Float32Array {
  const { data, width, height, channels } = image;
  const n = width * height;
  if (data.length < n * channels) throw new RangeError(`image data has ${data.length} samples, expected ${n * channels}`);
  const k = bitDepthOf(image) === 16 ? 1 / 257 : 1;
  const g = new Float32Array(n);
  if (channels >= 3) {
    for (let i = 0, p = 0; i < n; i++, p += channels) g[i] = (0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2]) * k;
  } else if (channels === 1 && k === 1) {
    g.set(data.subarray(0, n));
  } else {
    for (let i = 0, p = 0; i < n; i++, p += channels) g[i] = data[p] * k;
  }
  return g;
}
