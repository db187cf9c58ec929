// Recognises image formats by their magic bytes, so a wrong extension or content type cannot fool the decoders.

export type ImageMediaType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif' | 'image/tiff' | 'image/bmp' | 'image/avif' | 'application/dicom';

function startsWith(b: Uint8Array, sig: number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

/** The media type the bytes actually are, or undefined when they are no image format we know. */
export function sniffImageType(b: Uint8Array): ImageMediaType | undefined {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (startsWith(b, [0x42, 0x4d]) && b.length > 26) return 'image/bmp';
  if (startsWith(b, [0x66, 0x74, 0x79, 0x70], 4) && (startsWith(b, [0x61, 0x76, 0x69, 0x66], 8) || startsWith(b, [0x61, 0x76, 0x69, 0x73], 8))) return 'image/avif';
  if (startsWith(b, [0x44, 0x49, 0x43, 0x4d], 128)) return 'application/dicom';
  return undefined;
}
