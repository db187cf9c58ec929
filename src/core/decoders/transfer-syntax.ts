// The DICOM transfer syntaxes the core decodes, and with which codec: the one table error messages and docs list.

export type PixelCodec = 'native' | 'jpeg-turbo' | 'jpeg12' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg2000' | 'rle';

export interface TransferSyntax {
  uid: string;
  name: string;
  codec: PixelCodec;
  /** Explicit VR (false: implicit VR little endian). */
  explicit: boolean;
  bigEndian: boolean;
  /** The dataset after the meta header is deflated (1.2.840.10008.1.2.1.99). */
  deflated: boolean;
  lossy: boolean;
}

const ts = (uid: string, name: string, codec: PixelCodec, more: Partial<TransferSyntax> = {}): TransferSyntax => ({
  uid,
  name,
  codec,
  explicit: true,
  bigEndian: false,
  deflated: false,
  lossy: false,
  ...more,
});

export const IMPLICIT_LITTLE = '1.2.840.10008.1.2';
export const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
export const EXPLICIT_BIG = '1.2.840.10008.1.2.2';

export const TRANSFER_SYNTAXES: readonly TransferSyntax[] = [
  ts(IMPLICIT_LITTLE, 'Implicit VR Little Endian', 'native', { explicit: false }),
  ts(EXPLICIT_LITTLE, 'Explicit VR Little Endian', 'native'),
  ts('1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'native', { deflated: true }),
  ts(EXPLICIT_BIG, 'Explicit VR Big Endian', 'native', { bigEndian: true }),
  ts('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-turbo', { lossy: true }),
  // Process 2 (8-bit) goes to libjpeg-turbo, process 4 (12-bit) to the core's 12-bit decoder; chosen per frame.
  ts('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4, 8/12-bit)', 'jpeg12', { lossy: true }),
  ts('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', 'jpeg-lossless'),
  ts('1.2.840.10008.1.2.4.70', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)', 'jpeg-lossless'),
  ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls'),
  ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Near-Lossless', 'jpeg-ls', { lossy: true }),
  ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 (Lossless Only)', 'jpeg2000'),
  ts('1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg2000', { lossy: true }),
  ts('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle'),
];

const BY_UID = new Map(TRANSFER_SYNTAXES.map((t) => [t.uid, t]));

/** Names of some syntaxes we do not decode, so the refusal can say what the file is. */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile',
  '1.2.840.10008.1.2.4.101': 'MPEG2 High Profile',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000 with RPCL (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection, Non-Hierarchical (retired)',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression, Non-Hierarchical (retired)',
};

export function transferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid);
}

export function describeTransferSyntax(uid: string): string {
  const name = BY_UID.get(uid)?.name ?? KNOWN_UNSUPPORTED[uid];
  return name ? `${uid} (${name})` : uid;
}

/** "1.2.840.10008.1.2 (Implicit VR Little Endian), ..." for error messages. */
export const SUPPORTED_TRANSFER_SYNTAXES = TRANSFER_SYNTAXES.map((t) => `${t.uid} (${t.name})`);
