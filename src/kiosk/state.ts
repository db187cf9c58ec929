// Kiosk state: settings, the runner, the scan and result on screen, and the generation counter that drops stale answers.
import { DEFAULT_MAX_PIXELS } from '../app/scan-params.js';
import { loadSettings, type Settings } from './settings.js';
import type { KioskResult, Runner, Scan } from './result.js';

export interface State {
  settings: Settings;
  runner?: Promise<Runner>;
  manifestThreshold: number;
  /** Large JPEGs decode at reduced size down to this (twice the model's input side), as on the servers. */
  reduceTo?: number;
  notice: string;
  scan?: Scan;
  result?: KioskResult;
  overlayLabel?: string;
  /** Bumped per image so a slow answer for an old image never paints over a newer one. */
  generation: number;
}

export const state: State = {
  settings: loadSettings(),
  manifestThreshold: 0.5,
  notice: document.getElementById('notice-text')?.textContent ?? '',
  generation: 0,
};


/** The same limit as the servers' default: a kiosk decodes what they would accept. */
export const MAX_PIXELS = DEFAULT_MAX_PIXELS;
export const threshold = (): number => state.settings.threshold ?? state.manifestThreshold;
