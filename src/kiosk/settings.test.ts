// Settings from URL parameters: provisioning links set mode, engine and threshold; anything else falls back to defaults.
import { describe, expect, it } from 'vitest';
import { loadSettings } from './settings.js';

describe('kiosk settings', () => {
  it('defaults to this device, automatic engine and the manifest threshold', () => {
    expect(loadSettings('')).toEqual({ mode: 'device', server: '', backend: 'auto', threshold: null, remember: false });
  });

  it('takes mode, backend, server and threshold from the URL', () => {
    expect(loadSettings('?mode=server&backend=wasm&server=https://mri.example/&threshold=0.7')).toEqual({
      mode: 'server',
      server: 'https://mri.example/',
      backend: 'wasm',
      threshold: 0.7,
      remember: false,
    });
  });

  it('ignores values it does not know instead of running with them', () => {
    expect(loadSettings('?mode=cloud&backend=cuda&threshold=70')).toEqual({ mode: 'device', server: '', backend: 'auto', threshold: null, remember: false });
  });
});
