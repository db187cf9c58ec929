// The one image type every decoder returns and all preprocessing and saliency code consumes.

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

export function bitDepthOf(image: RawImage): 8 | 16 {
  return image.bitDepth ?? (image.data instanceof Uint16Array ? 16 : 8);
}
