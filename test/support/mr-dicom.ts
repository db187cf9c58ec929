// Test scans as DICOM: an 8-bit grey slice written as a 12-bit MR image (dcmjs) whose VOI window maps back to the same 8 bits.
import dcmjs from 'dcmjs';
import type { RawImage } from '../../src/core/image.js';
import { newUid } from '../../src/core/dicom-results/index.js';

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

export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

/** Fresh identifiers for a test patient/study/series (synthetic: no real person). */
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

/**
 * Stored value = 16 x grey (0..4080, 12 bits stored), Window Center 2040.5 / Width 4081: the DICOM linear VOI function
 * gives back exactly the grey value, so the DICOM path and the JPEG path classify the same pixels.
 */
export function makeMrSlice(image: RawImage, ids: MrSliceIds, options: { modality?: string } = {}): Uint8Array {
  if (image.channels !== 1 || (image.bitDepth ?? 8) !== 8) throw new Error('makeMrSlice takes an 8-bit grey image');
  const n = image.width * image.height;
  const stored = new Uint16Array(n);
  for (let i = 0; i < n; i++) stored[i] = image.data[i] * 16;
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
    Modality: options.modality ?? 'MR',
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
    ImagePositionPatient: [-128, -128, ids.instanceNumber * 5],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    FrameOfReferenceUID: ids.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: image.height,
    Columns: image.width,
    PixelSpacing: [0.5, 0.5],
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    WindowCenter: 2040.5,
    WindowWidth: 4081,
    PixelData: [stored.buffer],
    _vrMap: { PixelData: 'OW' },
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
