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
 * Grey 0..255 floats of row `y`: Rec.601 luma (0.299 R + 0.587 G + 0.114 B) without rounding, alpha ignored, 16-bit
 * samples divided by 257. The one grey conversion: preprocessing, the overlay's background and the kiosk's display all
 * read the scan through it, a row at a time so no full-size float copy of a large scan is ever made.
 */
export function greyRow(image: RawImage, y: number, out: Float32Array): Float32Array {
  const { data, width, channels } = image;
  const k = bitDepthOf(image) === 16 ? 1 / 257 : 1;
  let p = y * width * channels;
  if (channels >= 3) {
    for (let x = 0; x < width; x++, p += channels) out[x] = (0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2]) * k;
  } else {
    for (let x = 0; x < width; x++, p += channels) out[x] = data[p] * k;
  }
  return out;
}

/** The whole image through greyRow (tests and small images; large ones go row by row). */
export function greyPlane(image: RawImage): Float32Array {
  const { data, width, height, channels } = image;
  if (data.length < width * height * channels) throw new RangeError(`image data has ${data.length} samples, expected ${width * height * channels}`);
  const g = new Float32Array(width * height);
  for (let y = 0; y < height; y++) greyRow(image, y, g.subarray(y * width, (y + 1) * width));
  return g;
}

/**
 * A colour image whose red, green and blue are equal everywhere (a grey scan saved as RGB, as many PACS and viewer
 * exports are) as one grey channel; any other image as it is. Nothing downstream changes: the luma of equal channels is
 * exactly their value in float32 (0.299 + 0.587 + 0.114 = 1, and greyRow's rounding lands on the integer, checked for
 * every 8- and 16-bit value), but the models then resize one plane instead of three.
 */
export function greyWhenEqual(image: RawImage): RawImage {
  const { data, width, height, channels } = image;
  if (channels < 3) return image;
  const n = width * height;
  for (let i = 0, p = 0; i < n; i++, p += channels) if (data[p] !== data[p + 1] || data[p] !== data[p + 2]) return image;
  const one = data instanceof Uint16Array ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0, p = 0; i < n; i++, p += channels) one[i] = data[p];
  return { data: one, width, height, channels: 1, bitDepth: bitDepthOf(image) };
}
