// Kiosk wiring: connects the file picker, runners, settings and service worker to the state (state.ts) and the view (view.ts).
import './zod-jitless.js';
import './styles.css';
import { kioskDecoder } from './decoder.js';
import { clearCanvas, drawRgba, toDisplayRgba } from './canvas.js';
import { DeviceRunner } from './device-runner.js';
import { MANIFEST_URL } from './model-source.js';
import { printReport, saveReportImage, type ReportInput } from './report.js';
import type { Scan } from './result.js';
import { ServerRunner } from './server-runner.js';
import { saveSettings, type Settings } from './settings.js';
import { MAX_PIXELS, state, threshold } from './state.js';
import { completeOfflineCache, onUpdate, registerServiceWorker } from './sw-client.js';
import { isSeries } from './series.js';
import { closeSeries, openSeriesFiles, wireSeries } from './series-view.js';
import { $, applyOverlayControls, drawOverlay, explain, pct, refreshOfflineBadge, renderResult, resetView, reviewOf, setPhase, showError, showRefusal, ui } from './view.js';
import { saveAsDicom } from './save-dicom.js';
import { ImageInputError } from '../core/errors.js';

/** The bundled manifest's notice, threshold and input size; decoding waits for it (the size decides JPEG reduction). */
let manifestLoaded: Promise<void> = Promise.resolve();
/** Files larger than this show the busy state before they are read (see classifyFile). */
const BUSY_FIRST_BYTES = 2 * 1024 * 1024;

async function loadBundledManifest(): Promise<void> {
  try {
    const manifest = (await (await fetch(MANIFEST_URL)).json()) as {
      notice?: string;
      thresholds?: { uncertain?: number };
      preprocessing?: { resize?: { width?: number; height?: number } };
    };
    const { width, height } = manifest.preprocessing?.resize ?? {};
    // As the servers (core/service.ts reductionSize): a large JPEG decodes at reduced size, the same pixels everywhere.
    if (typeof width === 'number' && typeof height === 'number') state.reduceTo = 2 * Math.max(width, height);
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

async function classifyFile(file: File): Promise<void> {
  const generation = ++state.generation;
  // Marks let benchmarks and devtools read file-to-result time as the user experiences it.
  performance.clearMarks('kiosk:file');
  performance.mark('kiosk:file');
  const busy = (): void => {
    showError(undefined);
    setPhase('busy', 'Classifying…');
  };
  // A slice of a few hundred kB reads in a millisecond or two. Showing the busy state before that read made Chromium
  // lay out and paint it first: about 3 ms more from file to result painted, for a screen a quick result never shows.
  // A large file (a multi-frame DICOM) takes noticeably longer to read, so it shows the busy state at once.
  const busyFirst = file.size > BUSY_FIRST_BYTES;
  if (busyFirst) busy();
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (!busyFirst) busy();
    // Decoded here with the core's pure decoder, so the screen shows exactly the pixels the model sees.
    const td = performance.now();
    await manifestLoaded;
    const { image } = await kioskDecoder.decode(bytes, { maxPixels: MAX_PIXELS, reduceTo: state.reduceTo });
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
    if (error instanceof ImageInputError && error.code === 'not_brain_mri') {
      setPhase('refused');
      showRefusal(error.message);
      return;
    }
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

/** One JPEG or PNG: the single-image view; DICOM, NIfTI or several files: the series view. */
async function openFiles(files: File[]): Promise<void> {
  if (files.length === 0) return;
  if (await isSeries(files)) return openSeriesFiles(files);
  closeSeries();
  return classifyFile(files[0]);
}

function wire(): void {
  for (const input of [ui.file, $<HTMLInputElement>('folder')]) {
    input.addEventListener('change', () => {
      const files = [...(input.files ?? [])];
      // Cleared at once, so picking the same file again classifies it again (and the input holds no file reference).
      input.value = '';
      void openFiles(files);
    });
  }
  wireSeries();
  const stage = ui.drop.parentElement!;
  stage.addEventListener('dragover', (e) => {
    e.preventDefault();
    ui.drop.classList.add('over');
  });
  stage.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
  stage.addEventListener('drop', (e) => {
    e.preventDefault();
    ui.drop.classList.remove('over');
    void openFiles([...(e.dataTransfer?.files ?? [])]);
  });
  ui.bars.addEventListener('change', (e) => {
    const target = e.target as HTMLInputElement;
    if (target.name === 'heatmap-class') void showClass(target.value);
  });
  ui.overlayOn.addEventListener('change', applyOverlayControls);
  ui.opacity.addEventListener('input', applyOverlayControls);
  $('new-image').addEventListener('click', () => {
    closeSeries();
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
  $('save-dicom').addEventListener('click', () => {
    const { scan, result } = state;
    if (!scan || !result) return;
    const { uncertain, reasons } = reviewOf(result);
    void saveAsDicom(scan, result, uncertain, reasons).then(
      (name) => ($('save-dicom').dataset.saved = name),
      (e: unknown) => showError(`The DICOM files could not be written: ${explain(e)}`),
    );
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
  manifestLoaded = loadBundledManifest();
  startRunner();
}

main();
