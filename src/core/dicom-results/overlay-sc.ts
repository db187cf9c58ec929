// The saliency overlay as an RGB Secondary Capture image in a new series of the source's study, marked derived and not for diagnosis.
import type { NaturalDataset } from 'dcmjs';
import { CODES } from './codes.js';
import { derivedIdentity, derivedModules } from './derived-modules.js';
import { writePart10 } from './part10.js';
import type { SourceInstance } from './source-instance.js';
import type { DerivedObjectOptions, OverlayPixels, ResultForDicom } from './types.js';

export const SECONDARY_CAPTURE_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.7';
export const SC_SERIES_DESCRIPTION = 'brain-mri saliency overlay: demonstration, NOT FOR DIAGNOSIS';

/** RGBA -> interleaved RGB (PlanarConfiguration 0), padded to an even length as DICOM values must be. */
function rgbPixels(overlay: OverlayPixels): ArrayBuffer {
  const { rgba, width, height } = overlay;
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 65535 || height > 65535) {
    throw new Error(`overlay size ${width}x${height} is not a DICOM image size (1..65535 on each side)`);
  }
  if (rgba.length !== n * 4) throw new Error(`overlay has ${rgba.length} bytes; ${width}x${height} RGBA needs ${n * 4}`);
  const rgb = new Uint8Array(n * 3 + ((n * 3) % 2));
  for (let i = 0, j = 0; i < n * 4; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return rgb.buffer;
}

/**
 * Builds the overlay image for one slice. Bytes out, nothing else: runs in Node, workers and the browser.
 * No text is burned into the pixels (BurnedInAnnotation NO); "NOT FOR DIAGNOSIS" is in the series and image descriptions.
 */
export function buildOverlaySc(source: SourceInstance, overlay: OverlayPixels, result: ResultForDicom, options: DerivedObjectOptions = {}): Uint8Array {
  const id = derivedIdentity(source, SECONDARY_CAPTURE_SOP_CLASS, options, (source.seriesNumber ?? 0) + 9100);
  const summary = `${result.label} ${(result.confidence * 100).toFixed(1)}%${result.uncertain ? ' (uncertain)' : ''}`;
  const dataset: NaturalDataset = {
    ...derivedModules(source, id, { modality: 'OT', description: SC_SERIES_DESCRIPTION }, result.model, options),
    // An unpaired body part: Laterality (type 2C) is then absent, not empty.
    BodyPartExamined: 'BRAIN',
    // SC Equipment
    ConversionType: 'WSD',
    // General Image
    ImageType: ['DERIVED', 'SECONDARY'],
    PatientOrientation: '',
    BurnedInAnnotation: 'NO',
    RecognizableVisualFeatures: 'NO',
    LossyImageCompression: '00',
    DerivationDescription: `Saliency map of the predicted class (${result.label}) blended over the source slice by ${result.model.name} ${result.model.version}. NOT FOR DIAGNOSIS.`.slice(0, 1024),
    SourceImageSequence: [
      { ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: source.sopInstanceUid, PurposeOfReferenceCodeSequence: [CODES.sourceImagePurpose] },
    ],
    ImageComments: `${summary}. ${id.notice}`.slice(0, 10240),
    // SC Image
    DateOfSecondaryCapture: id.content.date,
    TimeOfSecondaryCapture: id.content.time,
    // Image Pixel
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    Rows: overlay.height,
    Columns: overlay.width,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    PixelData: [rgbPixels(overlay)],
    _vrMap: { PixelData: 'OB' },
  };
  return writePart10(dataset);
}
