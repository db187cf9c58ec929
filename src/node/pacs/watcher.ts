// Follows Orthanc's change feed, and for each new stable MR series classifies every slice and stores an SR and an overlay back.
import { buildOverlaySc, buildResultSr, DicomSourceError, newUid, readSourceInstance, SECONDARY_CAPTURE_SOP_CLASS, type SourceInstance } from '../../core/dicom-results/index.js';
import { isRefusal, type Analyse } from './analysis.js';
import { OrthancError, type OrthancClient } from './orthanc-client.js';
import type { SeriesCounts, SeriesJob, StateStore } from './state-store.js';

/** pino-shaped. Lines carry Orthanc resource ids and counts only: never patient data, DICOM UIDs or image bytes. */
export interface PacsLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type PacsEvent =
  | { type: 'slice'; series: string; instance: string; outcome: 'stored' | 'refused' }
  | { type: 'series'; series: string; status: SeriesJob['status']; counts?: SeriesCounts };

export interface PacsWatcherOptions {
  client: OrthancClient;
  store: StateStore;
  analyse: Analyse;
  logger?: PacsLogger;
  /** Follow /changes (default true). Off: only manual triggers are processed. */
  watchChanges?: boolean;
  pollMs?: number;
  /** First start with an empty state: skip what Orthanc already holds (`now`, default) or process its history. */
  startFrom?: 'now' | 'beginning';
  maxAttempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Progress callback (tests, metrics). */
  onEvent?: (event: PacsEvent) => void;
}

export interface StudyTrigger {
  study: string;
  series: Array<{ id: string; status: SeriesJob['status'] | 'skipped'; modality: string }>;
}

export interface PacsWatcher {
  start(): void;
  /** Stops after the slice in progress; resolves when the loop has exited. */
  stop(): Promise<void>;
  /** Queues every MR series of an Orthanc study (re-opening finished or failed ones; done slices are not redone). */
  triggerStudy(studyId: string): Promise<StudyTrigger>;
  studyStatus(studyId: string): Array<SeriesJob & { counts: SeriesCounts }>;
  readonly running: boolean;
}

const sleep = (ms: number, signal: { wake?: () => void }): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.wake = undefined;
      resolve();
    }
    signal.wake = done;
  });

const errInfo = (err: unknown): { name: string; message: string; status?: number } => ({
  name: (err as Error)?.name ?? 'Error',
  message: String((err as Error)?.message ?? err).slice(0, 300),
  ...(err instanceof OrthancError && err.status !== undefined ? { status: err.status } : {}),
});

export function createPacsWatcher(options: PacsWatcherOptions): PacsWatcher {
  const { client, store, analyse, logger, onEvent } = options;
  const watchChanges = options.watchChanges ?? true;
  const pollMs = options.pollMs ?? 5000;
  const maxAttempts = options.maxAttempts ?? 8;
  const retryBaseMs = options.retryBaseMs ?? 2000;
  const retryMaxMs = options.retryMaxMs ?? 600_000;
  const wakeSignal: { wake?: () => void } = {};
  let loop: Promise<void> | undefined;
  let stopping = false;
  let lastPoll = 0;
  let feedFailures = 0;

  async function pollChanges(): Promise<void> {
    let cursor = store.getCursor();
    if (cursor === undefined) {
      cursor = options.startFrom === 'beginning' ? 0 : await client.lastChangeSeq();
      store.enqueueFromChanges([], cursor, Date.now());
      logger?.info({ cursor, startFrom: options.startFrom ?? 'now' }, 'pacs: following the Orthanc change feed');
    }
    for (;;) {
      const page = await client.changes(cursor);
      const stable = page.changes.filter((c) => c.changeType === 'StableSeries' && c.resourceType === 'Series').map((c) => c.id);
      store.enqueueFromChanges([...new Set(stable)], page.last, Date.now());
      if (stable.length) logger?.info({ series: stable, cursor: page.last }, 'pacs: stable series queued');
      cursor = page.last;
      if (page.done || stopping) break;
    }
  }

  async function processSeries(job: SeriesJob): Promise<void> {
    const t0 = Date.now();
    let failures = 0;
    let firstError: unknown;
    try {
      const series = await client.series(job.id);
      if (job.studyId !== series.studyId) store.setStudy(job.id, series.studyId);
      if (series.modality !== 'MR') {
        store.markSeries(job.id, 'skipped', Date.now(), `not_mr: modality ${series.modality || '(none)'}`);
        onEvent?.({ type: 'series', series: job.id, status: 'skipped' });
        return;
      }
      for (const inst of await client.seriesInstances(job.id)) {
        if (stopping) return;
        try {
          await processInstance(job, inst.id);
        } catch (err) {
          failures++;
          firstError ??= err;
          // Orthanc unreachable: the other slices would fail the same way.
          if (err instanceof OrthancError && err.status === undefined) break;
        }
      }
    } catch (err) {
      if (err instanceof OrthancError && err.notFound) {
        store.markSeries(job.id, 'skipped', Date.now(), 'gone: Orthanc no longer has this series');
        logger?.warn({ series: job.id }, 'pacs: series deleted from Orthanc before it was processed');
        onEvent?.({ type: 'series', series: job.id, status: 'skipped' });
        return;
      }
      failures++;
      firstError = err;
    }
    const counts = store.counts(job.id);
    if (failures === 0) {
      store.markSeries(job.id, 'done', Date.now());
      logger?.info({ series: job.id, study: store.series(job.id)?.studyId, ...counts, ms: Date.now() - t0 }, 'pacs: series done');
      onEvent?.({ type: 'series', series: job.id, status: 'done', counts });
      return;
    }
    const attempts = job.attempts + 1;
    const error = errInfo(firstError);
    const lastError = `${error.name}: ${error.message}`;
    if (attempts >= maxAttempts) {
      store.markSeries(job.id, 'failed', Date.now(), lastError);
      logger?.error({ series: job.id, attempts, failedSlices: failures, ...counts, err: error }, 'pacs: series failed; built results are kept, POST /v1/studies/{id}/classify retries it');
      onEvent?.({ type: 'series', series: job.id, status: 'failed', counts });
      return;
    }
    const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** (attempts - 1));
    store.scheduleRetry(job.id, attempts, Date.now() + delay, lastError, Date.now());
    logger?.warn({ series: job.id, attempts, retryInMs: delay, failedSlices: failures, ...counts, err: error }, 'pacs: series will be retried');
  }

  async function processInstance(job: SeriesJob, instanceId: string): Promise<void> {
    let row = store.instance(instanceId);
    if (row?.status === 'stored' || row?.status === 'refused') return;
    if (row?.status !== 'built') {
      const bytes = await client.instanceFile(instanceId);
      const outcome = await analyse(bytes);
      if (isRefusal(outcome)) {
        store.markRefused(instanceId, job.id, outcome.refused.code, outcome.refused.message, Date.now());
        logger?.info({ series: job.id, instance: instanceId, code: outcome.refused.code }, 'pacs: slice refused');
        onEvent?.({ type: 'slice', series: job.id, instance: instanceId, outcome: 'refused' });
        return;
      }
      let source: SourceInstance;
      try {
        source = readSourceInstance(bytes);
      } catch (err) {
        // The same bytes would fail the same way: a refusal, not a retry.
        if (!(err instanceof DicomSourceError)) throw err;
        store.markRefused(instanceId, job.id, err.code, err.message, Date.now());
        logger?.info({ series: job.id, instance: instanceId, code: err.code }, 'pacs: slice refused');
        onEvent?.({ type: 'slice', series: job.id, instance: instanceId, outcome: 'refused' });
        return;
      }
      const scUid = newUid();
      const sc = buildOverlaySc(source, outcome.overlay, outcome.result, { seriesInstanceUid: job.scSeriesUid, sopInstanceUid: scUid });
      const sr = buildResultSr(source, outcome.result, {
        seriesInstanceUid: job.srSeriesUid,
        overlay: { sopClassUid: SECONDARY_CAPTURE_SOP_CLASS, sopInstanceUid: scUid, seriesInstanceUid: job.scSeriesUid },
      });
      // Saved before any upload: from here on a crash or an Orthanc outage cannot lose this result.
      store.saveBuilt(instanceId, job.id, sr, sc, Date.now());
      row = store.instance(instanceId)!;
    }
    // Same bytes, same SOP Instance UIDs on every retry: Orthanc answers AlreadyStored instead of duplicating.
    const scStored = await client.store(row.sc!);
    const srStored = await client.store(row.sr!);
    store.markStored(instanceId, srStored.id, scStored.id, Date.now());
    onEvent?.({ type: 'slice', series: job.id, instance: instanceId, outcome: 'stored' });
  }

  async function run(): Promise<void> {
    while (!stopping) {
      if (watchChanges && Date.now() - lastPoll >= Math.min(pollMs * 2 ** feedFailures, retryMaxMs)) {
        lastPoll = Date.now();
        try {
          await pollChanges();
          if (feedFailures) logger?.info({ after: feedFailures }, 'pacs: change feed reachable again');
          feedFailures = 0;
        } catch (err) {
          feedFailures = Math.min(feedFailures + 1, 10);
          logger?.warn({ err: errInfo(err), failures: feedFailures }, 'pacs: cannot read the Orthanc change feed; backing off');
        }
      }
      if (stopping) break;
      let job: SeriesJob | undefined;
      try {
        job = store.nextDue(Date.now());
        if (job) await processSeries(job);
      } catch (err) {
        // Only the state file can fail here (disk full, ...): keep the loop alive and try again shortly.
        logger?.error({ err: errInfo(err), series: job?.id }, 'pacs: cannot update the state file; retrying in 5 s');
        await sleep(5000, wakeSignal);
        continue;
      }
      if (job) continue;
      const nextWake = store.nextWake();
      const untilPoll = watchChanges ? Math.max(0, lastPoll + Math.min(pollMs * 2 ** feedFailures, retryMaxMs) - Date.now()) : 60_000;
      const untilJob = nextWake === undefined ? Infinity : Math.max(0, nextWake - Date.now());
      await sleep(Math.max(10, Math.min(untilPoll, untilJob)), wakeSignal);
    }
  }

  return {
    get running() {
      return loop !== undefined;
    },
    start() {
      if (loop) return;
      stopping = false;
      loop = run()
        .catch((err) => logger?.error({ err: errInfo(err) }, 'pacs: watcher loop crashed'))
        .finally(() => {
          loop = undefined;
        });
    },
    async stop() {
      stopping = true;
      wakeSignal.wake?.();
      await loop;
    },
    async triggerStudy(studyId) {
      const series = await client.studySeries(studyId);
      const out: StudyTrigger = { study: studyId, series: [] };
      for (const s of series) {
        if (s.modality !== 'MR') {
          out.series.push({ id: s.id, status: 'skipped', modality: s.modality });
          continue;
        }
        const job = store.enqueue(s.id, studyId, 'manual', Date.now());
        out.series.push({ id: s.id, status: job.status, modality: s.modality });
      }
      wakeSignal.wake?.();
      return out;
    },
    studyStatus(studyId) {
      return store.seriesOfStudy(studyId).map((j) => ({ ...j, counts: store.counts(j.id) }));
    },
  };
}
