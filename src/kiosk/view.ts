// Kiosk view: the page's elements and everything that paints them (phase, errors, result, bars, heatmap, offline badge).
import { ImageInputError } from '../core/errors.js';
import { isUncertain } from '../core/postprocess.js';
import { canSaveAsDicom } from './save-dicom.js';
import { clearCanvas, drawRgba } from './canvas.js';
import { DeviceRunner } from './device-runner.js';
import type { KioskResult, Overlay } from './result.js';
import { state, threshold } from './state.js';
import { offlineStatus } from './sw-client.js';

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
export const ui = {
  engine: $('badge-engine'),
  offline: $('badge-offline'),
  noticeText: $('notice-text'),
  update: $('update'),
  updateText: $('update-text'),
  drop: $<HTMLLabelElement>('drop'),
  file: $<HTMLInputElement>('file'),
  viewer: $('viewer'),
  scan: $<HTMLCanvasElement>('scan'),
  overlay: $<HTMLCanvasElement>('overlay'),
  caption: $('overlay-caption'),
  busy: $('busy'),
  busyText: $('busy-text'),
  error: $('error'),
  placeholder: $('placeholder'),
  refused: $('refused'),
  refusedText: $('refused-text'),
  placeholderMode: $('placeholder-mode'),
  result: $('result'),
  label: $('result-label'),
  confidence: $('result-confidence'),
  uncertain: $('uncertain'),
  bars: $('bars'),
  overlayOn: $<HTMLInputElement>('overlay-on'),
  opacity: $<HTMLInputElement>('opacity'),
  meta: $('meta'),
  settings: $<HTMLDialogElement>('settings'),
  settingsForm: $<HTMLFormElement>('settings-form'),
};

export const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;

/** Visible to tests and to anyone debugging the kiosk: idle, loading, busy, result, refused or error. */
export function setPhase(phase: 'loading' | 'idle' | 'busy' | 'result' | 'error' | 'refused', text?: string): void {
  document.body.dataset.phase = phase;
  ui.busy.hidden = !(phase === 'busy' || phase === 'loading');
  if (text) ui.busyText.textContent = text;
}

export function showError(message: string | undefined): void {
  ui.error.hidden = !message;
  ui.error.textContent = message ?? '';
}

/** The input gate's refusal: its own screen, with no class, no bars and no heatmap. */
export function showRefusal(message: string | undefined): void {
  ui.refused.hidden = !message;
  ui.refusedText.textContent = message ?? '';
  if (!message) return;
  state.result = undefined;
  state.overlayLabel = undefined;
  ui.result.hidden = true;
  ui.placeholder.hidden = true;
  clearCanvas(ui.overlay);
}

export function explain(error: unknown): string {
  if (error instanceof ImageInputError) return `This file cannot be used: ${error.message}`;
  return (error as Error)?.message ?? String(error);
}

export let badgeTimer: ReturnType<typeof setTimeout> | undefined;

export async function refreshOfflineBadge(): Promise<void> {
  clearTimeout(badgeTimer);
  const s = await offlineStatus();
  if (!s.supported) {
    ui.offline.textContent = 'Online only (offline use needs HTTPS or localhost)';
    ui.offline.className = 'badge warn';
    return;
  }
  if (s.ready) {
    ui.offline.textContent = `Offline ready · model ${s.modelVersion}`;
    ui.offline.className = 'badge ok';
    ui.offline.dataset.version = s.modelVersion;
    return;
  }
  ui.offline.textContent = s.error ? `Not offline ready: ${s.error}` : 'Saving for offline use…';
  ui.offline.className = 'badge warn';
  badgeTimer = setTimeout(() => void refreshOfflineBadge(), 1000);
}

export function renderBars(result: KioskResult): void {
  ui.bars.replaceChildren();
  for (const label of result.labels) {
    const p = result.probabilities[label] ?? 0;
    const row = document.createElement('label');
    row.className = 'bar';
    // Exact, for checks that the kiosk gives the server's numbers (the text shows one decimal).
    row.dataset.probability = String(p);
    const radio = document.createElement('input');
    radio.type = 'radio';
    radio.name = 'heatmap-class';
    radio.value = label;
    radio.checked = label === state.overlayLabel;
    radio.setAttribute('aria-label', `${label}, ${pct(p)}. Show the heatmap for ${label}`);
    const fill = document.createElement('span');
    fill.className = 'fill';
    fill.style.width = `${(p * 100).toFixed(2)}%`;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = label;
    const value = document.createElement('span');
    value.className = 'pct';
    value.textContent = pct(p);
    row.append(fill, radio, name, value);
    ui.bars.append(row);
  }
}

export function drawOverlay(overlay: Overlay): void {
  state.overlayLabel = overlay.label;
  drawRgba(ui.overlay, overlay.rgba, overlay.width, overlay.height);
  ui.overlay.dataset.label = overlay.label;
  ui.overlay.setAttribute('aria-label', `Heatmap of where the model looked for ${overlay.label}`);
  ui.caption.textContent = `Heatmap for ${overlay.label}${overlay.label === state.result?.label ? ' (predicted)' : ''}: warm colours drove its score most.`;
}

export function applyOverlayControls(): void {
  const on = ui.overlayOn.checked;
  const opacity = Number(ui.opacity.value) / 100;
  ui.overlay.style.opacity = on ? String(opacity) : '0';
  ui.overlay.style.visibility = on ? 'visible' : 'hidden';
  ui.opacity.disabled = !on;
  ui.opacity.setAttribute('aria-valuetext', `${ui.opacity.value} percent`);
}

/** What the screen says about review, for the report and the DICOM SR: the model's reasons plus the kiosk's threshold. */
export function reviewOf(result: KioskResult): { uncertain: boolean; reasons: string[] } {
  const reasons = result.reasons.filter((r) => r !== 'low_confidence');
  if (isUncertain(result.confidence, threshold())) reasons.unshift('low_confidence');
  return { uncertain: reasons.length > 0, reasons };
}

export function renderResult(result: KioskResult): void {
  state.result = result;
  $('save-dicom').hidden = !canSaveAsDicom(state.scan);
  const unfamiliar = result.reasons.includes('unfamiliar');
  const unsureInput = result.reasons.includes('input_unsure');
  const uncertain = isUncertain(result.confidence, threshold()) || unfamiliar || unsureInput;
  ui.placeholder.hidden = true;
  showRefusal(undefined);
  ui.result.hidden = false;
  ui.label.textContent = result.label;
  ui.confidence.textContent = pct(result.confidence);
  ui.uncertain.hidden = !uncertain;
  // The strongest reason speaks: a doubtful input first, then an unfamiliar scan, then low confidence.
  ui.uncertain.textContent = unsureInput
    ? 'The input check is not sure this is a brain MRI slice. Refer for review'
    : unfamiliar
      ? 'Unfamiliar scan: unlike the training data. Refer for review'
      : 'Uncertain, refer for review';
  ui.uncertain.title = unsureInput
    ? `The input check scored this image ${pct(result.gate?.score ?? 0)}, under its ${pct(result.gate?.uncertainBelow ?? 0)} for a sure brain MRI slice`
    : unfamiliar
      ? 'The scan lies far from what the model was trained on, whatever its confidence'
      : `Confidence is under ${pct(threshold())}`;
  drawOverlay(result.overlay);
  renderBars(result);
  applyOverlayControls();
  ui.meta.textContent =
    `Model ${result.model.name} ${result.model.version} · ${result.source === 'device' ? 'on this device' : 'on the server'}, ${result.backend} · ` +
    `${Math.round(result.elapsedMs)} ms · image ${result.image.width}×${result.image.height}` +
    (uncertain ? ` · review threshold ${pct(threshold())}` : '');
  ui.meta.title = result.timings
    ? `Stage times (ms): ${Object.entries(result.timings).map(([k, v]) => `${k} ${Math.round(v * 10) / 10}`).join(', ')}`
    : '';
}

export function resetView(): void {
  state.generation++;
  void state.runner?.then((r) => (r instanceof DeviceRunner ? r.forget() : undefined), () => undefined);
  state.scan = undefined;
  state.result = undefined;
  state.overlayLabel = undefined;
  clearCanvas(ui.scan);
  clearCanvas(ui.overlay);
  ui.viewer.hidden = true;
  ui.drop.hidden = false;
  ui.result.hidden = true;
  ui.placeholder.hidden = false;
  ui.file.value = '';
  showError(undefined);
  showRefusal(undefined);
  delete document.body.dataset.phase;
  setPhase('idle');
}

