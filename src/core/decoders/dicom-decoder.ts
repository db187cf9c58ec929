// DICOM Part 10 to the slice the model sees: header checks (modality, transfer syntax, limits, frame) before any pixel, then one frame windowed.
import type { DecodeLimits, DecodeOptions, FormatDecoder, InputSource } from '../decoder.js';
import { ImageInputError } from '../errors.js';
import { readDicom, type DicomImage } from './dicom-dataset.js';
import type { DicomCodecs } from './dicom-codecs.js';
import { decodeFrameSamples, maskedSamples, rgbSamples, toSlice, type Samples } from './dicom-pixels.js';
import { admit } from './limits.js';
import { describeTransferSyntax, SUPPORTED_TRANSFER_SYNTAXES, transferSyntax, type TransferSyntax } from './transfer-syntax.js';
import { renderSlice, type Slice } from './window.js';

export const DICOM_DESCRIPTION = 'DICOM (MR, Part 10; uncompressed, deflated, RLE, JPEG, JPEG lossless, JPEG-LS, JPEG 2000)';

/** A DICOM file whose header passed every check; frames are decoded on demand. */
export interface DicomScan {
  /** The parsed header (stays in the decoder and the kiosk: the dataset holds the whole file). */
  image: DicomImage;
  transferSyntax: TransferSyntax;
  frames: number;
  width: number;
  height: number;
  /** For ordering a series (never sent to clients). */
  instanceNumber?: number;
  slicePosition?: number;
  seriesUid?: string;
  /** Frame `frame` (1-based) as a slice to window. */
  slice(frame: number): Promise<Slice>;
}

export interface OpenDicomOptions extends DecodeLimits {
  /** Refuse files whose Modality (0008,0060) is not MR (default true; conformance tests read other modalities too). */
  requireMr?: boolean;
}

const unsupported = (detail: string): ImageInputError => new ImageInputError('unsupported_type', `${detail} Accepted: ${DICOM_DESCRIPTION}.`);

function checkHeader(img: DicomImage): void {
  const { rows, columns, samplesPerPixel, bitsAllocated, bitsStored, highBit, photometric } = img;
  if (!rows || !columns) throw new ImageInputError('corrupt_image', 'The DICOM image has no rows or columns (0028,0010/0011). Export the scan again from the scanner or PACS.');
  if (![1, 8, 16, 32].includes(bitsAllocated)) throw unsupported(`DICOM pixel data with ${bitsAllocated} bits allocated is not supported (1, 8, 16 or 32 are).`);
  if (!(bitsStored >= 1 && bitsStored <= bitsAllocated && highBit >= bitsStored - 1 && highBit < bitsAllocated)) {
    throw new ImageInputError('corrupt_image', `The DICOM header is inconsistent: ${bitsAllocated} bits allocated, ${bitsStored} stored, high bit ${highBit}.`);
  }
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) throw unsupported(`DICOM images with ${samplesPerPixel} samples per pixel are not supported.`);
  const grey = ['MONOCHROME1', 'MONOCHROME2'];
  const colour = ['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_RCT', 'YBR_ICT', 'YBR_PARTIAL_420'];
  if (samplesPerPixel === 1 ? !grey.includes(photometric) : !colour.includes(photometric)) {
    throw unsupported(`DICOM photometric interpretation ${photometric} with ${samplesPerPixel} sample(s) per pixel is not supported (MONOCHROME1, MONOCHROME2, RGB, YBR_FULL, YBR_FULL_422 are).`);
  }
}

/** Reads and checks the header; no pixel is decoded. Throws ImageInputError (not_mr, unsupported_transfer_syntax, too_many_pixels, ...). */
export function openDicom(bytes: Uint8Array, options: OpenDicomOptions, codecs: DicomCodecs): DicomScan {
  // Deflated datasets are inflated up to what the decoded image may take, and never past 256 MB.
  const maxInflated = Math.min(256 * 1048576, Math.max(16 * 1048576, (options.maxDecodedBytes ?? options.maxPixels * 4) * 2));
  const img = readDicom(bytes, maxInflated);
  if ((options.requireMr ?? true) && img.modality !== undefined && img.modality !== 'MR') {
    throw new ImageInputError(
      'not_mr',
      `This DICOM file's Modality (0008,0060) is ${img.modality}, not MR. The model reads brain MRI only; send an MR series.`,
      { modality: img.modality },
    );
  }
  if (!img.pixelData) {
    throw new ImageInputError('not_an_image', 'The DICOM file holds no image: it has no Pixel Data (7FE0,0010) (a report, plan or other non-image object). Send an MR image.');
  }
  const syntax = transferSyntax(img.transferSyntax);
  if (!syntax) {
    throw new ImageInputError(
      'unsupported_transfer_syntax',
      `The DICOM transfer syntax ${describeTransferSyntax(img.transferSyntax)} is not supported. Supported: ${SUPPORTED_TRANSFER_SYNTAXES.join(', ')}. Convert the file (for example with dcmtk's dcmdjpeg or gdcmconv --raw) and retry.`,
      { transferSyntax: img.transferSyntax, supported: TRANSFER_SYNTAX_UIDS },
    );
  }
  checkHeader(img);
  const channels = img.samplesPerPixel === 1 ? 1 : 3;
  // Admission on the header: one frame's decoded samples (float32 modality values for grey; RGB for colour).
  admit({ width: img.columns, height: img.rows, channels, bytesPerSample: channels === 1 ? 4 : Math.max(1, img.bitsAllocated / 8) }, options);
  return {
    image: img,
    transferSyntax: syntax,
    frames: img.frames,
    width: img.columns,
    height: img.rows,
    instanceNumber: img.instanceNumber,
    slicePosition: img.slicePosition,
    seriesUid: img.seriesUid,
    async slice(frame) {
      checkFrame(frame, img.frames);
      const decoded = await decodeFrameSamples(img, syntax, frame - 1, codecs);
      return toSlice(img, decoded, frame - 1);
    },
  };
}

const TRANSFER_SYNTAX_UIDS = SUPPORTED_TRANSFER_SYNTAXES.map((s) => s.split(' ')[0]);

function checkFrame(frame: number, frames: number): void {
  if (!Number.isInteger(frame) || frame < 1 || frame > frames) {
    throw new ImageInputError(
      'frame_out_of_range',
      `frame ${frame} does not exist: this DICOM file has ${frames} frame${frames === 1 ? '' : 's'} (frame is 1-based: 1..${frames}).`,
      { frame, frames },
    );
  }
}

/** The frame a request gets when it names none: the middle one (1-based), as a viewer opens a multi-frame series. */
export const middleFrame = (frames: number): number => Math.floor(frames / 2) + 1;

/**
 * For conformance tests: frame `frame` (1-based) as numbers before windowing: modality values for grey frames, RGB
 * samples at their stored depth for colour ones. Any modality.
 */
export async function decodeDicomValues(
  bytes: Uint8Array,
  options: DecodeLimits & { frame?: number },
  codecs: DicomCodecs,
): Promise<{ values: Float32Array | Samples; width: number; height: number; channels: number; frames: number; transferSyntax: string }> {
  const scan = openDicom(bytes, { ...options, requireMr: false }, codecs);
  const img = scan.image;
  const frame = options.frame ?? 1;
  checkFrame(frame, img.frames);
  const decoded = await decodeFrameSamples(img, scan.transferSyntax, frame - 1, codecs);
  // Grey values as the decoder's slice holds them (through its table, when it has one), so this checks what is served.
  const slice = toSlice(img, decoded, frame - 1);
  const values = slice.kind === 'grey' ? slice.values : rgbSamples(img, decoded, maskedSamples(img, decoded));
  return { values, width: img.columns, height: img.rows, channels: decoded.channels, frames: img.frames, transferSyntax: img.transferSyntax };
}

export function createDicomDecoder(codecs: DicomCodecs): FormatDecoder {
  return {
    format: 'dicom',
    description: DICOM_DESCRIPTION,
    async decode(bytes, options: DecodeOptions) {
      const scan = openDicom(bytes, options, codecs);
      const frame = options.params?.frame ?? middleFrame(scan.frames);
      if (options.params?.slice !== undefined || options.params?.plane !== undefined) {
        throw new ImageInputError('invalid_parameter', '`plane` and `slice` apply to NIfTI volumes; a DICOM file takes `frame` (1-based) for multi-frame images.');
      }
      const slice = await scan.slice(frame);
      const rendered = renderSlice(slice, options.params?.window);
      const source: InputSource = {
        format: 'dicom',
        transferSyntax: scan.transferSyntax.uid,
        frame,
        frames: scan.frames,
        ...(rendered.window ? { window: rendered.window } : {}),
      };
      return { image: rendered.image, source };
    },
  };
}
