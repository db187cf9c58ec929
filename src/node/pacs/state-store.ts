// Durable PACS-link state in SQLite: the change-feed position, each series' progress, and built results until Orthanc has them.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { newUid } from '../../core/dicom-results/index.js';

export type SeriesStatus = 'queued' | 'done' | 'skipped' | 'failed';
export type InstanceStatus = 'built' | 'stored' | 'refused';

export interface SeriesJob {
  id: string;
  studyId: string | null;
  status: SeriesStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  /** The SR and overlay series this source series' results go to: fixed at first sight, so a restart adds to the same series. */
  srSeriesUid: string;
  scSeriesUid: string;
  trigger: string;
}

export interface InstanceRow {
  id: string;
  seriesId: string;
  status: InstanceStatus;
  sr: Uint8Array | null;
  sc: Uint8Array | null;
  srInstanceId: string | null;
  scInstanceId: string | null;
  refusalCode: string | null;
}

export interface SeriesCounts {
  stored: number;
  refused: number;
  built: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS series (
  id TEXT PRIMARY KEY,
  study_id TEXT,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  sr_series_uid TEXT NOT NULL,
  sc_series_uid TEXT NOT NULL,
  trigger TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS series_due ON series (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS instances (
  id TEXT PRIMARY KEY,
  series_id TEXT NOT NULL REFERENCES series(id),
  status TEXT NOT NULL,
  sr BLOB,
  sc BLOB,
  sr_instance_id TEXT,
  sc_instance_id TEXT,
  refusal_code TEXT,
  refusal_message TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS instances_series ON instances (series_id);
`;

interface SeriesRecord {
  id: string;
  study_id: string | null;
  status: SeriesStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  sr_series_uid: string;
  sc_series_uid: string;
  trigger: string;
}

interface InstanceRecord {
  id: string;
  series_id: string;
  status: InstanceStatus;
  sr: Buffer | null;
  sc: Buffer | null;
  sr_instance_id: string | null;
  sc_instance_id: string | null;
  refusal_code: string | null;
}

const toJob = (r: SeriesRecord): SeriesJob => ({
  id: r.id,
  studyId: r.study_id,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  srSeriesUid: r.sr_series_uid,
  scSeriesUid: r.sc_series_uid,
  trigger: r.trigger,
});

const toInstance = (r: InstanceRecord): InstanceRow => ({
  id: r.id,
  seriesId: r.series_id,
  status: r.status,
  sr: r.sr && new Uint8Array(r.sr.buffer, r.sr.byteOffset, r.sr.byteLength),
  sc: r.sc && new Uint8Array(r.sc.buffer, r.sc.byteOffset, r.sc.byteLength),
  srInstanceId: r.sr_instance_id,
  scInstanceId: r.sc_instance_id,
  refusalCode: r.refusal_code,
});

export interface StateStore {
  readonly path: string;
  getCursor(): number | undefined;
  /** Queues (or re-opens) series and moves the feed cursor in one transaction: a crash never skips a change. */
  enqueueFromChanges(seriesIds: string[], cursor: number, now: number): void;
  /** Queues (or re-opens) one series now, attempts reset: for manual triggers. */
  enqueue(seriesId: string, studyId: string | null, trigger: string, now: number): SeriesJob;
  nextDue(now: number): SeriesJob | undefined;
  /** Earliest next_attempt_at among queued series. */
  nextWake(): number | undefined;
  series(id: string): SeriesJob | undefined;
  seriesOfStudy(studyId: string): SeriesJob[];
  setStudy(seriesId: string, studyId: string): void;
  markSeries(id: string, status: SeriesStatus, now: number, lastError?: string | null): void;
  scheduleRetry(id: string, attempts: number, nextAttemptAt: number, lastError: string, now: number): void;
  instance(id: string): InstanceRow | undefined;
  saveBuilt(id: string, seriesId: string, sr: Uint8Array, sc: Uint8Array, now: number): void;
  markStored(id: string, srInstanceId: string, scInstanceId: string, now: number): void;
  markRefused(id: string, seriesId: string, code: string, message: string, now: number): void;
  counts(seriesId: string): SeriesCounts;
  close(): void;
}

/** Opens (creating when needed, mode 0600: built results carry patient identifiers until uploaded) the state file. */
export function openStateStore(path: string): StateStore {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    // Created owner-only before SQLite opens it; SQLite gives its -wal and -shm files the database file's permissions.
    if (!existsSync(path)) writeFileSync(path, '', { mode: 0o600, flag: 'wx' });
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);

  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const upsertSeries = db.prepare(`
    INSERT INTO series (id, study_id, status, attempts, next_attempt_at, sr_series_uid, sc_series_uid, trigger, created_at, updated_at)
    VALUES (@id, @study, 'queued', 0, @now, @sr, @sc, @trigger, @now, @now)
    ON CONFLICT(id) DO UPDATE SET status = 'queued', attempts = 0, next_attempt_at = @now, last_error = NULL,
      study_id = COALESCE(@study, study_id), trigger = @trigger, updated_at = @now`);
  const getSeries = db.prepare<[string], SeriesRecord>('SELECT * FROM series WHERE id = ?');
  const due = db.prepare<[number], SeriesRecord>("SELECT * FROM series WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT 1");
  const wake = db.prepare<[], { t: number | null }>("SELECT MIN(next_attempt_at) AS t FROM series WHERE status = 'queued'");
  const ofStudy = db.prepare<[string], SeriesRecord>('SELECT * FROM series WHERE study_id = ? ORDER BY created_at');
  const setStudy = db.prepare('UPDATE series SET study_id = ? WHERE id = ?');
  const mark = db.prepare('UPDATE series SET status = ?, last_error = ?, updated_at = ? WHERE id = ?');
  const retry = db.prepare("UPDATE series SET status = 'queued', attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?");
  const getInstance = db.prepare<[string], InstanceRecord>('SELECT * FROM instances WHERE id = ?');
  const built = db.prepare(`
    INSERT INTO instances (id, series_id, status, sr, sc, updated_at) VALUES (?, ?, 'built', ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET status = 'built', sr = excluded.sr, sc = excluded.sc, updated_at = excluded.updated_at`);
  // Orthanc confirmed both objects: drop the bytes (they live in the PACS now), keep the Orthanc ids.
  const stored = db.prepare("UPDATE instances SET status = 'stored', sr = NULL, sc = NULL, sr_instance_id = ?, sc_instance_id = ?, updated_at = ? WHERE id = ?");
  const refused = db.prepare(`
    INSERT INTO instances (id, series_id, status, refusal_code, refusal_message, updated_at) VALUES (?, ?, 'refused', ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET status = 'refused', refusal_code = excluded.refusal_code, refusal_message = excluded.refusal_message, updated_at = excluded.updated_at`);
  const counts = db.prepare<[string], { status: InstanceStatus; n: number }>('SELECT status, COUNT(*) AS n FROM instances WHERE series_id = ? GROUP BY status');

  const enqueueOne = (id: string, study: string | null, trigger: string, now: number): void => {
    upsertSeries.run({ id, study, now, sr: newUid(), sc: newUid(), trigger });
  };
  const enqueueChanges = db.transaction((ids: string[], cursor: number, now: number) => {
    for (const id of ids) enqueueOne(id, null, 'changes', now);
    setMeta.run('changes_cursor', String(cursor));
  });

  return {
    path,
    getCursor() {
      const row = getMeta.get('changes_cursor');
      return row ? Number(row.value) : undefined;
    },
    enqueueFromChanges(ids, cursor, now) {
      enqueueChanges(ids, cursor, now);
    },
    enqueue(id, studyId, trigger, now) {
      enqueueOne(id, studyId, trigger, now);
      return toJob(getSeries.get(id)!);
    },
    nextDue(now) {
      const r = due.get(now);
      return r && toJob(r);
    },
    nextWake() {
      return wake.get()?.t ?? undefined;
    },
    series(id) {
      const r = getSeries.get(id);
      return r && toJob(r);
    },
    seriesOfStudy(studyId) {
      return ofStudy.all(studyId).map(toJob);
    },
    setStudy(seriesId, studyId) {
      setStudy.run(studyId, seriesId);
    },
    markSeries(id, status, now, lastError = null) {
      mark.run(status, lastError, now, id);
    },
    scheduleRetry(id, attempts, nextAttemptAt, lastError, now) {
      retry.run(attempts, nextAttemptAt, lastError, now, id);
    },
    instance(id) {
      const r = getInstance.get(id);
      return r && toInstance(r);
    },
    saveBuilt(id, seriesId, sr, sc, now) {
      built.run(id, seriesId, sr, sc, now);
    },
    markStored(id, srInstanceId, scInstanceId, now) {
      stored.run(srInstanceId, scInstanceId, now, id);
    },
    markRefused(id, seriesId, code, message, now) {
      refused.run(id, seriesId, code, message, now);
    },
    counts(seriesId) {
      const c: SeriesCounts = { stored: 0, refused: 0, built: 0 };
      for (const row of counts.all(seriesId)) c[row.status] = row.n;
      return c;
    },
    close() {
      db.close();
    },
  };
}
