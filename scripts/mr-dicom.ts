// MR DICOM files made from fixture slices (dcmjs writes them): for `npm run bench`, the DICOM and PACS tests and the
// kiosk's series tests. The one place the project writes test MR images; results (SR, SC) are src/core/dicom-results.
import { readFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
import sharp from 'sharp';
import { newUid } from '../src/core/dicom-results/index.js';
import type { RawImage } from '../src/core/image.js';

export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

/** Who and which study the slice belongs to (synthetic: no real person). */
export interface MrSliceIds {
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  accessionNumber: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid?: string;
  frameOfReferenceUid: string;
  studyId?: string;
  seriesNumber?: number;
  instanceNumber: number;
}

/** Fresh identifiers for a test patient/study/series. */
export function testStudyIds(patientName = 'TEST^PHANTOM'): Omit<MrSliceIds, 'instanceNumber'> {
  return {
    patientName,
    patientId: `PID-${Math.floor(Math.random() * 1e9)}`,
    patientBirthDate: '19700101',
    accessionNumber: `ACC${Math.floor(Math.random() * 1e9)}`,
    studyInstanceUid: newUid(),
    seriesInstanceUid: newUid(),
    frameOfReferenceUid: newUid(),
    studyId: 'S1',
    seriesNumber: 3,
  };
}

interface PixelModule {
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  /** Stored samples, frame after frame. */
  samples: Uint8Array | Uint16Array;
  frames: number;
  window?: { center: number; width: number };
  rescale?: { slope: number; intercept: number };
  /** z of ImagePositionPatient (axial, orientation 1\0\0\0\1\0). */
  position: number;
}

function writeMr(ids: MrSliceIds, p: PixelModule, modality = 'MR'): Uint8Array {
  const sopInstanceUid = ids.sopInstanceUid ?? newUid();
  const dataset = {
    // dcmjs writes UTF-8; say so when a name needs it.
    ...(/[^\x20-\x7e]/.test(ids.patientName) ? { SpecificCharacterSet: 'ISO_IR 192' } : {}),
    SOPClassUID: MR_IMAGE_STORAGE,
    SOPInstanceUID: sopInstanceUid,
    ImageType: ['ORIGINAL', 'PRIMARY', 'OTHER'],
    StudyDate: '20260101',
    StudyTime: '120000',
    SeriesDate: '20260101',
    SeriesTime: '120000',
    SeriesDescription: 'T2 axial (synthetic test slices)',
    ContentDate: '20260101',
    ContentTime: '120000',
    AccessionNumber: ids.accessionNumber,
    Modality: modality,
    Manufacturer: 'brain-mri test fixtures',
    ReferringPhysicianName: [],
    PatientName: [{ Alphabetic: ids.patientName }],
    PatientID: ids.patientId,
    PatientBirthDate: ids.patientBirthDate,
    PatientSex: 'O',
    BodyPartExamined: 'BRAIN',
    ScanningSequence: 'SE',
    SequenceVariant: 'NONE',
    ScanOptions: '',
    MRAcquisitionType: '2D',
    SliceThickness: 5,
    RepetitionTime: 4000,
    EchoTime: 90,
    EchoTrainLength: 8,
    StudyInstanceUID: ids.studyInstanceUid,
    SeriesInstanceUID: ids.seriesInstanceUid,
    StudyID: ids.studyId ?? 'S1',
    SeriesNumber: ids.seriesNumber ?? 1,
    InstanceNumber: ids.instanceNumber,
    PatientOrientation: '',
    ImagePositionPatient: [-128, -128, p.position],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    FrameOfReferenceUID: ids.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    ...(p.frames > 1 ? { NumberOfFrames: p.frames } : {}),
    Rows: p.rows,
    Columns: p.columns,
    PixelSpacing: [0.5, 0.5],
    BitsAllocated: p.bitsAllocated,
    BitsStored: p.bitsStored,
    HighBit: p.bitsStored - 1,
    PixelRepresentation: 0,
    ...(p.window ? { WindowCenter: p.window.center, WindowWidth: p.window.width } : {}),
    ...(p.rescale ? { RescaleIntercept: p.rescale.intercept, RescaleSlope: p.rescale.slope } : {}),
    PixelData: [p.samples.buffer.slice(p.samples.byteOffset, p.samples.byteOffset + p.samples.byteLength)],
    _vrMap: { PixelData: p.bitsAllocated === 8 ? 'OB' : 'OW' },
  };
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: MR_IMAGE_STORAGE,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '2.25.313162588025769307828572858722920481494',
  });
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

/**
 * An 8-bit grey slice as a 12-bit MR image: stored value = 16 x grey (0..4080), Window Center 2040.5 / Width 4081, so
 * the DICOM linear VOI function gives back exactly the grey value and the DICOM and JPEG paths classify the same pixels.
 */
export function makeMrSlice(image: RawImage, ids: MrSliceIds, options: { modality?: string } = {}): Uint8Array {
  if (image.channels !== 1 || (image.bitDepth ?? 8) !== 8) throw new Error('makeMrSlice takes an 8-bit grey image');
  const samples = Uint16Array.from(image.data.subarray(0, image.width * image.height), (v) => v * 16);
  return writeMr(
    ids,
    { rows: image.height, columns: image.width, bitsAllocated: 16, bitsStored: 12, samples, frames: 1, window: { center: 2040.5, width: 4081 }, position: ids.instanceNumber * 5 },
    options.modality,
  );
}

export interface MrDicomOptions {
  /** Fixture image (any format sharp reads); default test/fixtures/images/glioma-1.jpg. */
  fixture?: string;
  /** Side of the square slice in pixels (the fixture is resized); default 512. */
  size?: number;
  /** 8 (bits stored 8) or 16 (bits allocated 16, bits stored `bitsStored`); default 16. */
  bitsAllocated?: 8 | 16;
  /** Default 12: grey 0..255 becomes 0..4095, as a 12-bit scanner stores it. */
  bitsStored?: number;
  /** (0028,1050/1051); omit for a file without a window (the decoder's automatic window then applies). */
  window?: { center: number; width: number };
  rescale?: { slope: number; intercept: number };
  /** Frames: the same slice repeated (a multi-frame MR); default 1. */
  frames?: number;
  instanceNumber?: number;
  /** z of ImagePositionPatient (axial slices, orientation 1\0\0\0\1\0). */
  position?: number;
  seriesUid?: string;
  /** Patient and study; default fixed synthetic ones, so files of one call series share a study. */
  study?: Omit<MrSliceIds, 'instanceNumber' | 'seriesInstanceUid'>;
}

const ROOT = new URL('..', import.meta.url);

/** Grey pixels of the fixture at size x size (sharp: PIL-like bilinear resize). */
export async function fixtureGrey(fixture: string, size: number): Promise<Uint8Array> {
  const path = fixture.startsWith('/') ? fixture : new URL(fixture, ROOT).pathname;
  const raw = await sharp(readFileSync(path)).greyscale().resize(size, size, { fit: 'fill' }).raw().toBuffer();
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
}

const SYNTHETIC_STUDY: Omit<MrSliceIds, 'instanceNumber' | 'seriesInstanceUid'> = {
  patientName: 'TEST^PHANTOM',
  patientId: 'PID-0001',
  patientBirthDate: '19700101',
  accessionNumber: 'ACC0001',
  studyInstanceUid: '2.25.424241',
  frameOfReferenceUid: '2.25.424243',
};

/** The DICOM file's bytes. Pixel values: grey * (2^bitsStored - 1) / 255, rounded. */
export async function mrDicom(options: MrDicomOptions = {}): Promise<Uint8Array> {
  const size = options.size ?? 512;
  const bitsAllocated = options.bitsAllocated ?? 16;
  const bitsStored = bitsAllocated === 8 ? 8 : (options.bitsStored ?? 12);
  const frames = options.frames ?? 1;
  const grey = await fixtureGrey(options.fixture ?? 'test/fixtures/images/glioma-1.jpg', size);
  const scale = (2 ** bitsStored - 1) / 255;
  const frame = bitsAllocated === 8 ? grey : Uint16Array.from(grey, (v) => Math.round(v * scale));
  const samples = bitsAllocated === 8 ? new Uint8Array(frame.length * frames) : new Uint16Array(frame.length * frames);
  for (let f = 0; f < frames; f++) samples.set(frame, f * frame.length);
  const instanceNumber = options.instanceNumber ?? 1;
  const ids: MrSliceIds = {
    ...(options.study ?? SYNTHETIC_STUDY),
    seriesInstanceUid: options.seriesUid ?? '2.25.424242',
    sopInstanceUid: `2.25.${BigInt(size) * 1000003n + BigInt(instanceNumber)}`,
    instanceNumber,
  };
  return writeMr(ids, { rows: size, columns: size, bitsAllocated, bitsStored, samples, frames, window: options.window, rescale: options.rescale, position: options.position ?? 0 });
}

/** The bench's case: 512 x 512, 16-bit allocated, 12 stored, with a window, from glioma-1. */
export const benchMrDicom = (): Promise<Uint8Array> => mrDicom({ size: 512, bitsAllocated: 16, bitsStored: 12, window: { center: 2040, width: 4080 } });
