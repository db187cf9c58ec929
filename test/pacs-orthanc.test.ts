// The PACS round trip against a real Orthanc: MR slices arrive over DICOM, an SR and an overlay per slice go back into the
// same study, matching what /v1/classify says for the same pixels; restarts, outages and manual triggers lose nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app/create-app.js';
import type { Classifier } from '../src/core/classifier.js';
import { createService } from '../src/core/service.js';
import type { RawImage } from '../src/core/image.js';
import { decodePngPixels } from '../src/core/png.js';
import { loadNodeClassifier, nodeInputDecoder } from '../src/node/load-service.js';
import type { Analyse } from '../src/node/pacs/analysis.js';
import { createSliceAnalyser } from '../src/node/pacs/analyse-slice.js';
import { createOrthancClient, type OrthancClient } from '../src/node/pacs/orthanc-client.js';
import { registerPacsRoutes } from '../src/node/pacs/routes.js';
import { openStateStore, type StateStore } from '../src/node/pacs/state-store.js';
import { createPacsWatcher, type PacsEvent, type PacsWatcher } from '../src/node/pacs/watcher.js';
import { dciodvfy } from './support/dciodvfy.js';
import { makeMrSlice, testStudyIds, type MrSliceIds } from '../scripts/mr-dicom.js';
import { startOrthanc, type TestOrthanc } from './support/orthanc.js';

const FIXTURES = ['glioma-1.jpg', 'meningioma-1.jpg', 'normal-1.jpg', 'pituitary-1.jpg'];
const fixturePath = (f: string): string => new URL(`./fixtures/images/${f}`, import.meta.url).pathname;

type Tags = Record<string, unknown>;
type Item = Record<string, unknown>;
const seq = (x: unknown): Item[] => (Array.isArray(x) ? (x as Item[]) : []);
const meaning = (i: Item): string => String(seq(i.ConceptNameCodeSequence)[0]?.CodeMeaning ?? '');
/** Every content item in the tree (depth first) whose concept name is `name`. */
function find(root: Item, name: string): Item[] {
  const out: Item[] = [];
  const walk = (i: Item): void => {
    for (const c of seq(i.ContentSequence)) {
      if (meaning(c) === name) out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}
const fd = (i: Item): number => Number(seq(i.MeasuredValueSequence)[0].FloatingPointValue);

async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface CapturedLog {
  level: string;
  obj: object;
  msg?: string;
}
function captureLogger(): { lines: CapturedLog[]; logger: { info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void } } {
  const lines: CapturedLog[] = [];
  return {
    lines,
    logger: {
      info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
      warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
      error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
    },
  };
}

let orthanc: TestOrthanc;
let client: OrthancClient;
let classifier: Classifier;
let work: string;
/** The fixtures as /v1/classify decodes them, 8-bit grey. */
const images = new Map<string, RawImage>();

beforeAll(async () => {
  [orthanc, classifier] = await Promise.all([startOrthanc({ stableAgeSeconds: 1 }), loadNodeClassifier()]);
  client = createOrthancClient({ url: orthanc.url, username: orthanc.username, password: orthanc.password, timeoutMs: 10_000 });
  work = mkdtempSync(join(tmpdir(), 'pacs-test-'));
  const decoder = nodeInputDecoder();
  for (const f of FIXTURES) {
    const { image: img } = await decoder.decode(new Uint8Array(readFileSync(fixturePath(f))), { maxPixels: 40e6 });
    if (img.channels !== 1) throw new Error(`${f} decodes to ${img.channels} channels; the fixtures are grey`);
    images.set(f, img);
  }
});

afterAll(async () => {
  await orthanc?.stop();
  await classifier?.release();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** One MR series of the given fixtures (InstanceNumber 1..n) under fresh synthetic patient/study ids. */
function makeSeries(files: string[], patientName: string): { ids: Omit<MrSliceIds, 'instanceNumber'>; slices: Array<{ file: string; bytes: Uint8Array }> } {
  const ids = testStudyIds(patientName);
  return { ids, slices: files.map((file, i) => ({ file, bytes: makeMrSlice(images.get(file)!, { ...ids, instanceNumber: i + 1 }) })) };
}

/** Sends the files the way a scanner does: DICOM C-STORE (dcmtk storescu) to Orthanc's DICOM port. */
function cStore(slices: Array<{ bytes: Uint8Array }>): void {
  const dir = mkdtempSync(join(work, 'scu-'));
  const files = slices.map((s, i) => {
    const p = join(dir, `slice-${i}.dcm`);
    writeFileSync(p, s.bytes);
    return p;
  });
  const run = spawnSync('storescu', ['-aet', orthanc.scuAet, '-aec', 'ORTHANC', '127.0.0.1', String(orthanc.dicomPort), ...files], { encoding: 'utf8' });
  if (run.error) throw new Error(`cannot run storescu (${run.error.message}); apt-get install -y dcmtk (npm run setup:test does)`);
  if (run.status !== 0) throw new Error(`storescu failed (${run.status}): ${run.stderr}`);
}

async function restUpload(slices: Array<{ bytes: Uint8Array }>): Promise<{ studyId: string; seriesId: string }> {
  let last = { studyId: '', seriesId: '' };
  for (const s of slices) {
    const stored = await client.store(s.bytes);
    last = { studyId: stored.studyId, seriesId: stored.seriesId };
  }
  return last;
}

/** The study's series in Orthanc, by modality, each with its instances' tags. */
async function studyContents(studyId: string): Promise<Record<string, Array<{ id: string; tags: Tags }>>> {
  const out: Record<string, Array<{ id: string; tags: Tags }>> = {};
  for (const s of await client.studySeries(studyId)) {
    const insts = await orthanc.json<Array<{ ID: string }>>(`/series/${s.id}/instances`);
    out[s.modality] ??= [];
    for (const i of insts) out[s.modality].push({ id: i.ID, tags: await orthanc.json<Tags>(`/instances/${i.ID}/tags?simplify`) });
  }
  return out;
}

function watcherWith(store: StateStore, analyse: Analyse, extra: Partial<Parameters<typeof createPacsWatcher>[0]> = {}): PacsWatcher {
  return createPacsWatcher({ client, store, analyse, pollMs: 200, retryBaseMs: 200, maxAttempts: 20, ...extra });
}

function countingAnalyser(): { analyse: Analyse; calls: () => number } {
  const inner = createSliceAnalyser(async () => createService({ decoder: nodeInputDecoder(), classifier }), { maxPixels: 40e6 });
  let n = 0;
  return { analyse: (b) => ((n += 1), inner(b)), calls: () => n };
}

describe('PACS round trip with Orthanc', () => {
  it('writes an SR and an overlay per slice into the same study, matching /v1/classify, across a restart mid-series', async () => {
    const statePath = join(work, 'restart.sqlite');
    const series = makeSeries(FIXTURES, 'ROUNDTRIP^PATIENT');
    const counting = countingAnalyser();
    const log = captureLogger();

    // First service instance: stops itself after the second slice is stored, as a restart would.
    let store = openStateStore(statePath);
    const events: PacsEvent[] = [];
    const first: PacsWatcher = watcherWith(store, counting.analyse, {
      logger: log.logger,
      onEvent: (e) => {
        events.push(e);
        if (events.filter((x) => x.type === 'slice' && x.outcome === 'stored').length === 2) void first.stop();
      },
    });
    first.start();
    await waitFor('the first watcher to read the change-feed position', () => store.getCursor() !== undefined);
    cStore(series.slices);
    await waitFor('two slices stored', () => events.filter((e) => e.type === 'slice').length >= 2);
    await first.stop();
    const seriesId = (events.find((e) => e.type === 'slice') as { series: string }).series;
    expect(store.counts(seriesId)).toEqual({ stored: 2, refused: 0, built: 0 });
    expect(store.series(seriesId)?.status).toBe('queued');
    store.close();
    expect(statSync(statePath).mode & 0o777).toBe(0o600);

    // Second instance on the same state file finishes the series.
    store = openStateStore(statePath);
    const second = watcherWith(store, counting.analyse, { logger: log.logger });
    second.start();
    await waitFor('the series to be done', () => store.series(seriesId)?.status === 'done');
    await second.stop();
    expect(store.counts(seriesId)).toEqual({ stored: 4, refused: 0, built: 0 });
    expect(counting.calls()).toBe(4);
    store.close();

    const studyId = (await client.series(seriesId)).studyId;
    const contents = await studyContents(studyId);
    expect(Object.keys(contents).sort()).toEqual(['MR', 'OT', 'SR']);
    const [mr, sr, sc] = [contents.MR, contents.SR, contents.OT];
    expect([mr.length, sr.length, sc.length]).toEqual([4, 4, 4]);
    // One SR series and one overlay series for the source series, whatever the restart did.
    expect(new Set(sr.map((i) => i.tags.SeriesInstanceUID)).size).toBe(1);
    expect(new Set(sc.map((i) => i.tags.SeriesInstanceUID)).size).toBe(1);

    const app = createApp({ service: createService({ decoder: nodeInputDecoder(), classifier }) });
    const sopToFixture = new Map(mr.map((i) => [i.tags.SOPInstanceUID as string, series.slices[Number(i.tags.InstanceNumber) - 1].file]));
    const referenced: string[] = [];
    for (const report of sr) {
      const t = report.tags;
      expect(t.StudyInstanceUID).toBe(series.ids.studyInstanceUid);
      expect(t.PatientID).toBe(series.ids.patientId);
      expect(t.PatientName).toBe('ROUNDTRIP^PATIENT');
      expect(String(t.SeriesDescription)).toContain('NOT FOR DIAGNOSIS');
      const source = find(t, 'Source of Measurement')[0];
      const sourceUid = seq(source.ReferencedSOPSequence)[0].ReferencedSOPInstanceUID as string;
      referenced.push(sourceUid);
      const file = sopToFixture.get(sourceUid)!;

      // The JSON API's answer for the very same pixels (the JPEG fixture the slice was made from).
      const res = await app.request('/v1/classify?saliency=overlay', { method: 'POST', body: readFileSync(fixturePath(file)), headers: { 'Content-Type': 'image/jpeg' } });
      expect(res.status).toBe(200);
      const json = (await res.json()) as { label: string; confidence: number; uncertain: boolean; probabilities: Record<string, number>; model: { name: string; version: string; sha256: string }; saliency: { dataUrl: string }[] };
      expect(file.startsWith(json.label)).toBe(true);
      expect(seq(find(t, 'Finding')[0].ConceptCodeSequence)[0].CodeMeaning).toBe(json.label);
      for (const [label, p] of Object.entries(json.probabilities)) expect(fd(find(t, `Probability of ${label}`)[0])).toBeCloseTo(p, 12);
      expect(seq(find(t, 'Result flagged uncertain: refer for review')[0].ConceptCodeSequence)[0].CodeMeaning).toBe(json.uncertain ? 'Yes' : 'No');
      expect(find(t, 'Algorithm Name')[0].TextValue).toBe(json.model.name);
      expect(find(t, 'Algorithm Version')[0].TextValue).toBe(json.model.version);
      expect(find(t, 'Algorithm Parameters')[0].TextValue).toBe(`sha256=${json.model.sha256}`);

      // The overlay the SR points at is the overlay /v1/classify renders, pixel for pixel.
      const overlayUid = seq(find(t, 'Saliency overlay of the predicted class')[0].ReferencedSOPSequence)[0].ReferencedSOPInstanceUID;
      const overlay = sc.find((i) => i.tags.SOPInstanceUID === overlayUid)!;
      expect(overlay).toBeDefined();
      expect(overlay.tags.ImageType).toBe('DERIVED\\SECONDARY');
      expect(seq(overlay.tags.SourceImageSequence)[0].ReferencedSOPInstanceUID).toBe(sourceUid);
      const scBytes = new Uint8Array(await (await orthanc.api(`/instances/${overlay.id}/file`)).arrayBuffer());
      const png = decodePngPixels(Buffer.from(json.saliency[0].dataUrl.split(',')[1], 'base64'));
      const scPixels = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(scBytes.slice().buffer).dict).PixelData as ArrayBuffer[];
      expect(png.channels).toBe(3);
      expect(Buffer.compare(Buffer.from(scPixels[0], 0, png.data.length), Buffer.from(png.data as Uint8Array))).toBe(0);

      // Every object written passes dciodvfy.
      for (const bytes of [new Uint8Array(await (await orthanc.api(`/instances/${report.id}/file`)).arrayBuffer()), scBytes]) {
        const check = dciodvfy(bytes);
        expect(check.errors, check.output).toEqual([]);
      }
    }
    expect(referenced.sort()).toEqual([...sopToFixture.keys()].sort());

    // No log line carries the patient's name, ID, birth date, accession number or DICOM UIDs.
    const logged = JSON.stringify(log.lines);
    for (const secret of ['ROUNDTRIP', series.ids.patientId, series.ids.patientBirthDate, series.ids.accessionNumber, series.ids.studyInstanceUid]) expect(logged).not.toContain(secret);
    expect(log.lines.some((l) => l.msg === 'pacs: series done')).toBe(true);
  });

  it('keeps built results through lost upload answers, and resends them once Orthanc answers, without duplicates or recomputing', async () => {
    // A faulty network in front of the real Orthanc: while `down`, uploads reach Orthanc but their answers are lost (503),
    // the worst case for duplicates: Orthanc has the object, the service does not know it.
    let down = true;
    const proxy: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(`${orthanc.url}${req.url}`, {
        method: req.method,
        headers: { authorization: String(req.headers.authorization ?? ''), 'content-type': String(req.headers['content-type'] ?? 'application/octet-stream') },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      if (down && req.method === 'POST' && req.url === '/instances') {
        res.writeHead(503).end('unavailable');
        return;
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(body);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const proxied = createOrthancClient({ url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, username: orthanc.username, password: orthanc.password });
    try {
      const statePath = join(work, 'outage.sqlite');
      const series = makeSeries(FIXTURES.slice(0, 3), 'OUTAGE^PATIENT');
      const counting = countingAnalyser();
      const log = captureLogger();
      let store = openStateStore(statePath);
      const first = createPacsWatcher({ client: proxied, store, analyse: counting.analyse, logger: log.logger, pollMs: 200, retryBaseMs: 200, maxAttempts: 20 });
      first.start();
      await waitFor('the change-feed position', () => store.getCursor() !== undefined);
      const { seriesId } = await restUpload(series.slices);
      await waitFor('two failed attempts', () => (store.series(seriesId)?.attempts ?? 0) >= 2);
      await first.stop();
      expect(store.counts(seriesId)).toEqual({ stored: 0, refused: 0, built: 3 });
      const retries = log.lines.filter((l) => l.msg === 'pacs: series will be retried').map((l) => (l.obj as { retryInMs: number }).retryInMs);
      expect(retries.slice(0, 2)).toEqual([200, 400]);
      store.close();

      // Back up, and a restarted service sends what was built, without classifying again.
      down = false;
      store = openStateStore(statePath);
      const second = createPacsWatcher({ client: proxied, store, analyse: counting.analyse, logger: log.logger, pollMs: 200, retryBaseMs: 200 });
      second.start();
      await waitFor('the series to be done', () => store.series(seriesId)?.status === 'done');
      await second.stop();
      store.close();
      expect(counting.calls()).toBe(3);
      const contents = await studyContents((await client.series(seriesId)).studyId);
      expect([contents.MR.length, contents.SR.length, contents.OT.length]).toEqual([3, 3, 3]);
      const logged = JSON.stringify(log.lines);
      for (const secret of ['OUTAGE', series.ids.patientId, series.ids.accessionNumber, series.ids.studyInstanceUid]) expect(logged).not.toContain(secret);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });

  it('POST /v1/studies/{id}/classify processes a study on demand, refuses what it cannot read, and never duplicates', async () => {
    const store = openStateStore(join(work, 'manual.sqlite'));
    const watcher = createPacsWatcher({ client, store, analyse: createSliceAnalyser(async () => createService({ decoder: nodeInputDecoder(), classifier }), { maxPixels: 40e6 }), watchChanges: false, retryBaseMs: 200 });
    watcher.start();
    try {
      const series = makeSeries(FIXTURES.slice(0, 2), 'MANUAL^PATIENT');
      // A third "slice" too small to classify: recorded as refused, not retried.
      const tiny: RawImage = { data: new Uint8Array(16 * 16).fill(90), width: 16, height: 16, channels: 1, bitDepth: 8 };
      const slices = [...series.slices, { file: 'tiny', bytes: makeMrSlice(tiny, { ...series.ids, instanceNumber: 3 }) }];
      const { studyId, seriesId } = await restUpload(slices);
      // Another series of the same study that is not MR.
      await restUpload([{ bytes: makeMrSlice(images.get(FIXTURES[3])!, { ...series.ids, seriesInstanceUid: testStudyIds().seriesInstanceUid, instanceNumber: 1 }, { modality: 'CT' }) }]);

      const app = createApp({ service: createService({ decoder: nodeInputDecoder(), classifier }), routes: (a) => registerPacsRoutes(a, { watcher }) });
      const res = await app.request(`/v1/studies/${studyId}/classify`, { method: 'POST' });
      expect(res.status).toBe(202);
      const body = (await res.json()) as { series: Array<{ id: string; status: string; modality: string }>; notice: string };
      expect(body.series.find((s) => s.id === seriesId)).toMatchObject({ status: 'queued', modality: 'MR' });
      expect(body.series.find((s) => s.modality === 'CT')).toMatchObject({ status: 'skipped' });
      expect(body.notice).toMatch(/NOT for diagnosis/);
      for (const secret of ['MANUAL', series.ids.patientId, series.ids.studyInstanceUid]) expect(JSON.stringify(body)).not.toContain(secret);

      await waitFor('the manual series to be done', () => store.series(seriesId)?.status === 'done');
      const status = await (await app.request(`/v1/studies/${studyId}/results`)).json();
      expect(status).toMatchObject({ study: studyId, series: [{ id: seriesId, status: 'done', trigger: 'manual', slices: { stored: 2, refused: 1, pending: 0 } }] });
      expect(store.instance((await client.seriesInstances(seriesId))[2].id)?.refusalCode).toBe('image_too_small');

      // Asked again: re-checked, nothing new written.
      expect((await app.request(`/v1/studies/${studyId}/classify`, { method: 'POST' })).status).toBe(202);
      await waitFor('the second pass to finish', () => store.series(seriesId)?.status === 'done');
      const contents = await studyContents(studyId);
      expect([contents.MR.length, contents.CT.length, contents.SR.length, contents.OT.length]).toEqual([3, 1, 2, 2]);

      const missing = await app.request('/v1/studies/00000000-00000000-00000000-00000000-00000000/classify', { method: 'POST' });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('study_not_found');
      const bad = await app.request('/v1/studies/not-an-id/classify', { method: 'POST' });
      expect(bad.status).toBe(422);
      const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/studies/{orthancId}/classify', '/v1/studies/{orthancId}/results']));
    } finally {
      await watcher.stop();
      store.close();
    }
  });
});
