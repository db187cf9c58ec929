// Kiosk settings: kept for the session only, unless the user ticks "remember" (then localStorage, never images or results).
import type { BackendPreference } from './ort-engine.js';

export type Mode = 'device' | 'server';

export interface Settings {
  mode: Mode;
  /** Base URL of the API for server mode; empty means the server that served this page. */
  server: string;
  backend: BackendPreference;
  /** Confidence below which "uncertain, refer for review" shows; null means the manifest's value. */
  threshold: number | null;
  remember: boolean;
}

const KEY = 'brain-mri-kiosk:settings';
const DEFAULTS: Settings = { mode: 'device', server: '', backend: 'auto', threshold: null, remember: false };

function sanitise(raw: Partial<Settings>): Settings {
  const s = { ...DEFAULTS, ...raw };
  return {
    mode: s.mode === 'server' ? 'server' : 'device',
    server: typeof s.server === 'string' ? s.server.trim() : '',
    backend: s.backend === 'wasm' || s.backend === 'webgpu' ? s.backend : 'auto',
    threshold: typeof s.threshold === 'number' && s.threshold >= 0 && s.threshold <= 1 ? s.threshold : null,
    remember: s.remember === true,
  };
}

/** URL parameters (?mode=server&backend=wasm&threshold=0.7) override for this load, so a kiosk can be provisioned by link. */
export function loadSettings(search: string = location.search): Settings {
  let stored: Partial<Settings> = {};
  try {
    const text = localStorage.getItem(KEY);
    if (text) stored = { ...(JSON.parse(text) as Partial<Settings>), remember: true };
  } catch {
    // Storage may be disabled (private mode, kiosk policy); settings then live for the session only.
  }
  const params = new URLSearchParams(search);
  const fromUrl: Partial<Settings> = {};
  if (params.has('mode')) fromUrl.mode = params.get('mode') as Mode;
  if (params.has('backend')) fromUrl.backend = params.get('backend') as BackendPreference;
  if (params.has('server')) fromUrl.server = params.get('server') ?? '';
  if (params.has('threshold')) fromUrl.threshold = Number(params.get('threshold'));
  return sanitise({ ...stored, ...fromUrl });
}

export function saveSettings(settings: Settings): Settings {
  const clean = sanitise(settings);
  try {
    if (clean.remember) localStorage.setItem(KEY, JSON.stringify({ ...clean, remember: undefined }));
    else localStorage.removeItem(KEY);
  } catch {
    // See loadSettings.
  }
  return clean;
}
