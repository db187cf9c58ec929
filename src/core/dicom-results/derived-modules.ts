// The modules every derived result object shares: patient and study copied from the source, a new series, equipment, SOP common.
import type { NaturalDataset } from 'dcmjs';
import { dicomDateTime } from './part10.js';
import type { SourceInstance } from './source-instance.js';
import { DEFAULT_MANUFACTURER, DEFAULT_NOTICE, type AlgorithmIdentity, type DerivedObjectOptions } from './types.js';
import { isValidUid, newUid } from './uid.js';

/** Type 2 attributes of the Patient and General Study modules: present (maybe empty) in every derived object. */
const TYPE2_EMPTY: NaturalDataset = {
  PatientName: [],
  PatientID: '',
  PatientBirthDate: '',
  PatientSex: '',
  StudyDate: '',
  StudyTime: '',
  ReferringPhysicianName: [],
  StudyID: '',
  AccessionNumber: '',
};

export interface DerivedIdentity {
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  seriesNumber: number;
  instanceNumber: number;
  content: { date: string; time: string };
  notice: string;
}

function checkUid(name: string, uid: string): string {
  if (!isValidUid(uid)) throw new Error(`${name} "${uid}" is not a valid DICOM UID (digits and dots, no leading zeros, at most 64 characters)`);
  return uid;
}

/** Resolves the defaults of DerivedObjectOptions once, so the caller can read back what was written. */
export function derivedIdentity(source: SourceInstance, sopClassUid: string, options: DerivedObjectOptions, defaultSeriesNumber: number): DerivedIdentity {
  return {
    sopClassUid,
    sopInstanceUid: checkUid('sopInstanceUid', options.sopInstanceUid ?? newUid()),
    seriesInstanceUid: checkUid('seriesInstanceUid', options.seriesInstanceUid ?? newUid()),
    seriesNumber: options.seriesNumber ?? defaultSeriesNumber,
    instanceNumber: options.instanceNumber ?? source.instanceNumber ?? 1,
    content: dicomDateTime(options.now ?? new Date()),
    notice: options.notice ?? DEFAULT_NOTICE,
  };
}

/** Patient, General Study, series identity, General Equipment and SOP Common attributes. */
export function derivedModules(
  source: SourceInstance,
  id: DerivedIdentity,
  series: { modality: string; description: string },
  model: AlgorithmIdentity,
  options: DerivedObjectOptions,
): NaturalDataset {
  return {
    ...TYPE2_EMPTY,
    ...source.patientStudyAttributes(),
    StudyInstanceUID: source.studyInstanceUid,
    // Series
    Modality: series.modality,
    SeriesInstanceUID: id.seriesInstanceUid,
    SeriesNumber: id.seriesNumber,
    SeriesDescription: series.description.slice(0, 64),
    SeriesDate: id.content.date,
    SeriesTime: id.content.time,
    // General Equipment
    Manufacturer: (options.manufacturer ?? DEFAULT_MANUFACTURER).slice(0, 64),
    ManufacturerModelName: model.name.slice(0, 64),
    SoftwareVersions: (options.softwareVersions ?? `${model.name} ${model.version}`).slice(0, 64),
    // SOP Common
    SOPClassUID: id.sopClassUid,
    SOPInstanceUID: id.sopInstanceUid,
    InstanceCreationDate: id.content.date,
    InstanceCreationTime: id.content.time,
    TimezoneOffsetFromUTC: '+0000',
    InstanceNumber: id.instanceNumber,
    ContentDate: id.content.date,
    ContentTime: id.content.time,
  };
}
