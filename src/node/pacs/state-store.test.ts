// The PACS state file: what survives a restart, how series re-open, and that built results leave once Orthanc has them.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isValidUid } from '../../core/dicom-results/index.js';
import { openStateStore } from './state-store.js';

const dirs: string[] = [];
const tempFile = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'pacs-state-'));
  dirs.push(d);
  return join(d, 'nested', 'state.sqlite');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('openStateStore', () => {
  it('creates the file owner-only and keeps the cursor and queue across reopening', () => {
    const path = tempFile();
    const a = openStateStore(path);
    expect(a.getCursor()).toBeUndefined();
    a.enqueueFromChanges(['s1', 's2', 's1'], 41, 1000);
    expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600);
    a.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const b = openStateStore(path);
    expect(b.getCursor()).toBe(41);
    expect(b.nextDue(1000)?.id).toBe('s1');
    expect(b.series('s2')?.status).toBe('queued');
    expect(isValidUid(b.series('s1')!.srSeriesUid)).toBe(true);
    b.close();
  });

  it('re-opens a finished series with the same result series, so new slices join the same SR and overlay series', () => {
    const s = openStateStore(tempFile());
    const first = s.enqueue('s1', 'study', 'changes', 1);
    s.markSeries('s1', 'done', 2);
    expect(s.nextDue(10)).toBeUndefined();
    s.enqueueFromChanges(['s1'], 5, 3);
    const again = s.series('s1')!;
    expect([again.status, again.attempts, again.srSeriesUid, again.scSeriesUid]).toEqual(['queued', 0, first.srSeriesUid, first.scSeriesUid]);
    s.close();
  });

  it('waits for a retry until it is due', () => {
    const s = openStateStore(tempFile());
    s.enqueue('s1', null, 'manual', 0);
    s.scheduleRetry('s1', 1, 5000, 'OrthancError: 503', 100);
    expect(s.nextDue(4999)).toBeUndefined();
    expect(s.nextWake()).toBe(5000);
    expect(s.nextDue(5000)).toMatchObject({ id: 's1', attempts: 1, lastError: 'OrthancError: 503' });
    s.close();
  });

  it('holds built results until stored, then drops the bytes and keeps the Orthanc ids', () => {
    const s = openStateStore(tempFile());
    s.enqueue('s1', null, 'manual', 0);
    s.saveBuilt('i1', 's1', new Uint8Array([1, 2, 3]), new Uint8Array([4, 5]), 1);
    expect(s.instance('i1')).toMatchObject({ status: 'built', sr: new Uint8Array([1, 2, 3]), sc: new Uint8Array([4, 5]) });
    expect(s.counts('s1')).toEqual({ stored: 0, refused: 0, built: 1 });
    s.markStored('i1', 'sr-id', 'sc-id', 2);
    expect(s.instance('i1')).toMatchObject({ status: 'stored', sr: null, sc: null, srInstanceId: 'sr-id', scInstanceId: 'sc-id' });
    s.markRefused('i2', 's1', 'not_mr', 'modality CT is not MR', 3);
    expect(s.counts('s1')).toEqual({ stored: 1, refused: 1, built: 0 });
    s.close();
  });
});
