// Kiosk screen: wires the file picker, runners, result view, heatmap controls, settings and offline badge together.
import './zod-jitless.js';
import './styles.css';
import { ImageInputError } from '../core/errors.js';
import { kioskDecoder } from './decoder.js';
import { isUncertain } from '../core/postprocess.js';
import { clearCanvas, drawRgba, toDisplayRgba } from './canvas.js';
import { DeviceRunner } from './device-runner.js';
import { MANIFEST_URL } from './model-source.js';
import { printReport, saveReportImage, type ReportInput } from './report.js';
import type { KioskResult, Overlay, Runner, Scan } from './result.js';
import { ServerRunner } from './server-runner.js';
import { loadSettings, saveSettings, type Settings } from './settings.js';
import { completeOfflineCache, offlineStatus, onUpdate, registerServiceWorker } from './sw-client.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
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

interface State {
  settings: Settings;
  runner?: Promise<Runner>;
  manifestThreshold: number;
  notice: string;
  scan?: Scan;
  result?: KioskResult;
  overlayLabel?: string;
  /** Bumped per image so a slow answer for an old image never paints over a newer one. */
  generation: number;
}

const state: State = {
  settings: loadSettings(),
  manifestThreshold: 0.5,
  notice: ui.noticeText.textContent ?? '',
  generation: 0,
};

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
/** The same limit as the servers' default: a kiosk decodes what they would accept. */
const MAX_PIXELS = 40_000_000;
const threshold = () => state.settings.threshold ?? state.manifestThreshold;

/** Visible to tests and to anyone debugging the kiosk: idle, loading, busy, result or error. */
function setPhase(phase: 'loading' | 'idle' | 'busy' | 'result' | 'error', text?: string): void {
  document.body.dataset.phase = phase;
  ui.busy.hidden = !(phase === 'busy' || phase === 'loading');
  if (text) ui.busyText.textContent = text;
}

function showError(message: string | undefined): void {
  ui.error.hidden = !message;
  ui.error.textContent = message ?? '';
}

function explain(error: unknown): string {
  if (error instanceof ImageInputError) return `This file cannot be used: ${error.message}`;
  return (error as Error)?.message ?? String(error);
}

async function loadBundledManifest(): Promise<void> {
  try {
    const manifest = (await (await fetch(MANIFEST_URL)).json()) as { notice?: string; thresholds?: { uncertain?: number } };
    if (typeof manifest.notice === 'string' && manifest.notice) {
      state.notice = manifest.notice;
      ui.noticeText.textContent = manifest.notice;
    }
    if (typeof manifest.thresholds?.uncertain === 'number') state.manifestThreshold = manifest.thresholds.uncertain;
  } catch {
    // The device runner reports a missing model with a clear message; the defaults above stay meanwhile.
  }
}

function startRunner(): void {
  const { settings } = state;
  // Free the previous in-browser session (WASM memory, GPU buffers) when settings replace it.
  void state.runner?.then((r) => (r instanceof DeviceRunner ? r.classifier.release() : undefined)).catch(() => undefined);
  ui.placeholderMode.textContent = settings.mode === 'server' ? ' until you classify: in server mode each image is sent to the server' : '';
  if (settings.mode === 'server') {
    const runner = new ServerRunner(settings.server);
    state.runner = Promise.resolve(runner);
    ui.engine.textContent = `Server: ${runner.host}`;
    ui.engine.className = 'badge';
    setPhase('idle');
    void completeOfflineCache().then(() => refreshOfflineBadge());
    return;
  }
  ui.engine.textContent = 'Loading model…';
  ui.engine.className = 'badge';
  setPhase('loading', 'Loading the model…');
  const runner = DeviceRunner.create(settings.backend);
  state.runner = runner;
  // After the engine has loaded ORT and the model through the worker, let it fetch anything offline use still lacks.
  void runner.catch(() => undefined).then(() => completeOfflineCache()).then(() => refreshOfflineBadge());
  runner.then(
    (r) => {
      if (state.runner !== runner) return;
      ui.engine.textContent = `On this device: ${r.backend}`;
      ui.engine.title = `${r.classifier.backend}; ${r.choice.reason}`;
      ui.engine.className = 'badge ok';
      if (document.body.dataset.phase === 'loading') setPhase('idle');
    },
    (error) => {
      if (state.runner !== runner) return;
      ui.engine.textContent = 'Model not loaded';
      ui.engine.className = 'badge warn';
      setPhase('error');
      showError(`The model could not be started: ${explain(error)}`);
    },
  );
}

let badgeTimer: ReturnType<typeof setTimeout> | undefined;

async function refreshOfflineBadge(): Promise<void> {
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

function renderBars(result: KioskResult): void {
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

function drawOverlay(overlay: Overlay): void {
  state.overlayLabel = overlay.label;
  drawRgba(ui.overlay, overlay.rgba, overlay.width, overlay.height);
  ui.overlay.dataset.label = overlay.label;
  ui.overlay.setAttribute('aria-label', `Heatmap of where the model looked for ${overlay.label}`);
  ui.caption.textContent = `Heatmap for ${overlay.label}${overlay.label === state.result?.label ? ' (predicted)' : ''}: warm colours drove its score most.`;
}

function applyOverlayControls(): void {
  const on = ui.overlayOn.checked;
  const opacity = Number(ui.opacity.value) / 100;
  ui.overlay.style.opacity = on ? String(opacity) : '0';
  ui.overlay.style.visibility = on ? 'visible' : 'hidden';
  ui.opacity.disabled = !on;
  ui.opacity.setAttribute('aria-valuetext', `${ui.opacity.value} percent`);
}

function renderResult(result: KioskResult): void {
  state.result = result;
  const uncertain = isUncertain(result.confidence, threshold());
  ui.placeholder.hidden = true;
  ui.result.hidden = false;
  ui.label.textContent = result.label;
  ui.confidence.textContent = pct(result.confidence);
  ui.uncertain.hidden = !uncertain;
  ui.uncertain.textContent = 'Uncertain, refer for review';
  ui.uncertain.title = `Confidence is under ${pct(threshold())}`;
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

function resetView(): void {
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
  delete document.body.dataset.phase;
  setPhase('idle');
}

async function classifyFile(file: File): Promise<void> {
  const generation = ++state.generation;
  // Marks let benchmarks and devtools read file-to-result time as the user experiences it.
  performance.clearMarks('kiosk:file');
  performance.mark('kiosk:file');
  showError(undefined);
  setPhase('busy', 'Classifying…');
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    // Decoded here with the core's pure decoder, so the screen shows exactly the pixels the model sees.
    const td = performance.now();
    const { image } = await kioskDecoder.decode(bytes, { maxPixels: MAX_PIXELS });
    const decodeMs = performance.now() - td;
    const scan: Scan = { bytes, mediaType: file.type || 'application/octet-stream', image };
    state.scan = scan;
    state.overlayLabel = undefined;
    clearCanvas(ui.overlay);
    drawRgba(ui.scan, toDisplayRgba(image), image.width, image.height);
    ui.drop.hidden = true;
    ui.viewer.hidden = false;
    const runner = await state.runner!;
    const result = await runner.classify(scan);
    if (generation !== state.generation) return;
    result.timings = { ...result.timings, [runner.source === 'device' ? 'decode' : 'decode (for display)']: decodeMs };
    renderResult(result);
    performance.measure('kiosk:result', 'kiosk:file');
    setPhase('result');
    ($('new-image') as HTMLButtonElement).focus({ preventScroll: true });
  } catch (error) {
    if (generation !== state.generation) return;
    setPhase('error');
    showError(explain(error));
    if (!state.result) ui.placeholder.hidden = false;
  }
}

async function showClass(label: string): Promise<void> {
  const { scan, result } = state;
  if (!scan || !result || label === state.overlayLabel) return;
  const generation = state.generation;
  setPhase('busy', `Heatmap for ${label}…`);
  try {
    const overlay = await (await state.runner!).overlayFor(scan, label);
    if (generation !== state.generation) return;
    drawOverlay(overlay);
    applyOverlayControls();
    setPhase('result');
  } catch (error) {
    setPhase('error');
    showError(explain(error));
  }
}

function reportInput(): ReportInput | undefined {
  if (!state.result) return undefined;
  return { result: state.result, scan: ui.scan, overlay: ui.overlay, overlayLabel: state.overlayLabel ?? state.result.label, threshold: threshold(), notice: state.notice, at: new Date() };
}

function openSettings(): void {
  const form = ui.settingsForm;
  const s = state.settings;
  (form.elements.namedItem('mode') as RadioNodeList).value = s.mode;
  ($('server-url') as HTMLInputElement).value = s.server;
  ($('backend') as HTMLSelectElement).value = s.backend;
  ($('threshold') as HTMLInputElement).value = String(Math.round(threshold() * 100));
  ($('remember') as HTMLInputElement).checked = s.remember;
  $('threshold-hint').textContent = `The model's own threshold is ${pct(state.manifestThreshold)}.`;
  ui.settings.showModal();
}

function applySettings(): void {
  const form = ui.settingsForm;
  const thresholdPct = Number(($('threshold') as HTMLInputElement).value);
  const previous = state.settings;
  const threshold = Number.isFinite(thresholdPct) && thresholdPct / 100 !== state.manifestThreshold ? Math.min(100, Math.max(0, thresholdPct)) / 100 : null;
  state.settings = saveSettings({
    mode: (form.elements.namedItem('mode') as RadioNodeList).value as Settings['mode'],
    server: ($('server-url') as HTMLInputElement).value,
    backend: ($('backend') as HTMLSelectElement).value as Settings['backend'],
    threshold,
    remember: ($('remember') as HTMLInputElement).checked,
  });
  const s = state.settings;
  if (s.mode !== previous.mode || s.server !== previous.server || s.backend !== previous.backend) {
    resetView();
    startRunner();
  } else if (state.result) {
    renderResult(state.result);
  }
}

function wire(): void {
  ui.file.addEventListener('change', () => {
    const file = ui.file.files?.[0];
    // Cleared at once, so picking the same file again classifies it again (and the input holds no file reference).
    ui.file.value = '';
    if (file) void classifyFile(file);
  });
  const stage = ui.drop.parentElement!;
  stage.addEventListener('dragover', (e) => {
    e.preventDefault();
    ui.drop.classList.add('over');
  });
  stage.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
  stage.addEventListener('drop', (e) => {
    e.preventDefault();
    ui.drop.classList.remove('over');
    const file = e.dataTransfer?.files?.[0];
    if (file) void classifyFile(file);
  });
  ui.bars.addEventListener('change', (e) => {
    const target = e.target as HTMLInputElement;
    if (target.name === 'heatmap-class') void showClass(target.value);
  });
  ui.overlayOn.addEventListener('change', applyOverlayControls);
  ui.opacity.addEventListener('input', applyOverlayControls);
  $('new-image').addEventListener('click', () => {
    resetView();
    ui.file.focus();
  });
  $('print').addEventListener('click', () => {
    const input = reportInput();
    if (input) printReport(input);
  });
  $('save').addEventListener('click', () => {
    const input = reportInput();
    if (input) void saveReportImage(input).catch((e) => showError(explain(e)));
  });
  $('open-settings').addEventListener('click', openSettings);
  ui.settings.addEventListener('close', () => {
    if (ui.settings.returnValue === 'apply') applySettings();
  });
  $('update-reload').addEventListener('click', () => location.reload());
}

function main(): void {
  wire();
  void registerServiceWorker().then(() => refreshOfflineBadge());
  onUpdate((s) => {
    ui.updateText.textContent = `Model ${s.modelVersion ?? 'update'} is now saved for offline use and replaced the previous one. Reload to use it.`;
    ui.update.hidden = false;
    void refreshOfflineBadge();
  });
  void loadBundledManifest();
  startRunner();
}

main();
