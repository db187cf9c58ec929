// PACS settings: off without ORTHANC_URL, defaults when on, and a wrong value named at start-up.
import { describe, expect, it } from 'vitest';
import { readPacsConfig } from './config.js';

describe('readPacsConfig', () => {
  it('is off when ORTHANC_URL is unset, and takes defaults when it is set', () => {
    expect(readPacsConfig({ PORT: '8080' })).toBeUndefined();
    expect(readPacsConfig({ ORTHANC_URL: 'http://127.0.0.1:8042' })).toMatchObject({
      ORTHANC_URL: 'http://127.0.0.1:8042',
      PACS_STATE: 'data/pacs-state.sqlite',
      PACS_POLL_MS: 5000,
      PACS_START: 'now',
      PACS_MAX_ATTEMPTS: 8,
      PACS_RETRY_BASE_MS: 2000,
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => readPacsConfig({ ORTHANC_URL: 'orthanc:8042' })).toThrow(/ORTHANC_URL/);
    expect(() => readPacsConfig({ ORTHANC_URL: 'ftp://pacs.local' })).toThrow(/ORTHANC_URL: use an http/);
    expect(() => readPacsConfig({ ORTHANC_URL: 'http://alice:secret@pacs.local:8042' })).toThrow(/ORTHANC_USERNAME and ORTHANC_PASSWORD, not in the URL/);
    expect(() => readPacsConfig({ ORTHANC_URL: 'http://pacs.local', ORTHANC_USERNAME: 'alice' })).toThrow(/ORTHANC_PASSWORD: set both/);
    expect(() => readPacsConfig({ ORTHANC_URL: 'http://pacs.local', PACS_START: 'yesterday' })).toThrow(/PACS_START/);
    expect(() => readPacsConfig({ ORTHANC_URL: 'http://pacs.local', PACS_POLL_MS: '5' })).toThrow(/PACS_POLL_MS/);
  });

  it('refuses PACS settings without ORTHANC_URL, so a half-configured link does not stay silently off', () => {
    expect(() => readPacsConfig({ ORTHANC_USERNAME: 'alice' })).toThrow(/ORTHANC_USERNAME is set but ORTHANC_URL is not/);
  });

  it('never echoes a password in its errors', () => {
    const message = (() => {
      try {
        readPacsConfig({ ORTHANC_URL: 'http://alice:hunter22@pacs.local' });
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toMatch(/^environment variable ORTHANC_URL/);
    expect(message).not.toContain('hunter22');
  });
});
