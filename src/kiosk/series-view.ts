// The series view: classifies every slice (progress bar), starts on the most suspicious slice, lets the user walk the
// slices with a scrubber and change the window (presets, numbers, or dragging on the scan), and summarises the series.
import type { Window } from '../core/decoders/window.js';
import { clearCanvas, drawRgba, toDisplayRgba } from './canvas.js';
import { DeviceRunner } from './device-runner.js';
import type { Scan } from './result.js';
import { openSeries, render, WINDOW_PRESETS, type Series } from './series.js';
import { MAX_PIXELS, state } from './state.js';
import { $, explain, pct, renderResult, setPhase, showError, showRefusal, ui } from './view.js';
import { ImageInputError } from '../core/errors.js';

interface SeriesRun {
  series: Series;
  results: (Record<string, number> | undefined)[];
  /** The user's window (undefined: each slice's file or automatic window). */
  window?: Window;
  /** The window the shown slice was rendered with, for presets and dragging. */
  shown?: Window;
  index: number;
}

let run: SeriesRun | undefined;
const el = {
  section: $('series'),
  progress: $<HTMLProgressElement>('series-progress'),
  summary: $('series-summary'),
  slider: $<HTMLInputElement>('slice'),
  info: $('slice-info'),
  preset: $<HTMLSelectElement>('window-preset'),
  center: $<HTMLInputElement>('window-center'),
  width: $<HTMLInputElement>('window-width'),
};

/** Suspicion of one slice: the probability that it is not normal. */
const suspicion = (p: Record<string, number>): number => 1 - (p.normal ?? 0);
const top = (p: Record<string, number>): [string, number] => Object.entries(p).reduce((a, b) => (b[1] > a[1] ? b : a));

async function deviceRunner(): Promise<DeviceRunner> {
  const runner = await state.runner!;
  if (!(runner instanceof DeviceRunner)) throw new Error('A series is classified on this device: switch to "On this device" in settings to open one.');
  return runner;
}

/** After every slice ran: the most suspicious slice among those the input gate accepted, and the counts. */
function summarise(r: SeriesRun): void {
  const n = r.series.slices.length;
  const accepted = r.results.map((p, i) => [p, i] as const).filter((x): x is readonly [Record<string, number>, number] => x[0] !== undefined);
  const refused = n - accepted.length;
  const refusedText = refused ? ` ${refused} slice${refused === 1 ? '' : 's'} not classified: the input check says not a brain MRI slice.` : '';
  if (!accepted.length) {
    el.summary.textContent = `${n} slice${n === 1 ? '' : 's'} (${r.series.kind}).${refusedText}`;
    el.summary.dataset.mostSuspicious = '0';
    return;
  }
  let [most, mostIndex] = accepted[0];
  for (const [p, i] of accepted) if (suspicion(p) > suspicion(most)) [most, mostIndex] = [p, i];
  const counts = new Map<string, number>();
  for (const [p] of accepted) counts.set(top(p)[0], (counts.get(top(p)[0]) ?? 0) + 1);
  const [label, p] = top(most);
  el.summary.textContent =
    `${n} slice${n === 1 ? '' : 's'} (${r.series.kind}). Most suspicious: slice ${mostIndex + 1}, ${label} ${pct(p)}. ` +
    `Predicted per slice: ${[...counts].map(([l, c]) => `${l} ${c}`).join(', ')}.${refusedText} Demonstration model, not a diagnosis.`;
  el.summary.dataset.mostSuspicious = String(mostIndex);
}

/** Shows slice `index` with its heatmap; the result panel follows it. */
async function showSlice(index: number, generation: number): Promise<void> {
  const r = run!;
  r.index = index;
  el.slider.value = String(index);
  const runner = await deviceRunner();
  const item = r.series.slices[index];
  const rendered = render(await item.load(), r.window);
  if (generation !== state.generation) return;
  r.shown = rendered.window;
  const scan: Scan = { bytes: item.dicom ?? new Uint8Array(0), mediaType: 'application/dicom', image: rendered.image };
  state.scan = scan;
  state.overlayLabel = undefined;
  clearCanvas(ui.overlay);
  drawRgba(ui.scan, toDisplayRgba(rendered.image), rendered.image.width, rendered.image.height);
  ui.drop.hidden = true;
  $('folder-button').hidden = true;
  ui.viewer.hidden = false;
  let result;
  try {
    result = await runner.classify(scan);
  } catch (error) {
    if (!(error instanceof ImageInputError && error.code === 'not_brain_mri') || generation !== state.generation) throw error;
    showRefusal(error.message);
    const text = `Slice ${index + 1} of ${r.series.slices.length} (${item.name}): not classified, the input check says not a brain MRI slice`;
    el.info.textContent = text;
    el.slider.setAttribute('aria-valuetext', text);
    return;
  }
  if (generation !== state.generation) return;
  renderResult(result);
  r.results[index] = result.probabilities;
  const w = rendered.window;
  if (w && document.activeElement !== el.center && document.activeElement !== el.width) {
    el.center.value = String(Math.round(w.center * 10) / 10);
    el.width.value = String(Math.round(w.width * 10) / 10);
  }
  const text = `Slice ${index + 1} of ${r.series.slices.length} (${item.name}): ${result.label} ${pct(result.confidence)}` + (w ? `; window ${Math.round(w.center)}/${Math.round(w.width)} (${w.source})` : '');
  el.info.textContent = text;
  el.slider.setAttribute('aria-valuetext', text);
  ui.scan.setAttribute('aria-label', `Slice ${index + 1} of ${r.series.slices.length}`);
}

/** Classifies every slice under the current window, then shows `start` (or the most suspicious slice). */
async function classifyAll(generation: number, start?: number): Promise<void> {
  const r = run!;
  const runner = await deviceRunner();
  const n = r.series.slices.length;
  el.progress.max = n;
  el.progress.value = 0;
  r.results = [];
  for (let i = 0; i < n; i++) {
    if (generation !== state.generation) return;
    setPhase('busy', `Classifying slice ${i + 1} of ${n}…`);
    const { image } = render(await r.series.slices[i].load(), r.window);
    r.results[i] = await runner.probabilities(image);
    el.progress.value = i + 1;
  }
  if (generation !== state.generation) return;
  summarise(r);
  await showSlice(start ?? Number(el.summary.dataset.mostSuspicious ?? 0), generation);
  if (generation === state.generation) setPhase('result');
}

export async function openSeriesFiles(files: File[]): Promise<void> {
  const generation = ++state.generation;
  showError(undefined);
  setPhase('busy', 'Reading the series…');
  try {
    await deviceRunner();
    const series = await openSeries(files, MAX_PIXELS);
    if (generation !== state.generation) return;
    run = { series, results: [], index: 0 };
    el.section.hidden = false;
    el.slider.max = String(series.slices.length - 1);
    el.preset.value = 'file';
    el.summary.textContent = '';
    await classifyAll(generation);
  } catch (error) {
    if (generation !== state.generation) return;
    setPhase('error');
    showError(explain(error));
  }
}

/** Re-window: the slice on screen is classified again at once, then the whole series under the new window. */
let pending: ReturnType<typeof setTimeout> | undefined;
function setWindow(window: Window | undefined): void {
  if (!run) return;
  run.window = window;
  clearTimeout(pending);
  pending = setTimeout(() => {
    const generation = ++state.generation;
    const index = run!.index;
    void showSlice(index, generation)
      .then(() => classifyAll(generation, index))
      .catch((error: unknown) => {
        setPhase('error');
        showError(explain(error));
      });
  }, 250);
}

export function closeSeries(): void {
  run = undefined;
  el.section.hidden = true;
  $('folder-button').hidden = false;
}

export function wireSeries(): void {
  el.slider.addEventListener('input', () => {
    if (!run) return;
    const generation = ++state.generation;
    void showSlice(Number(el.slider.value), generation).then(() => setPhase('result'));
  });
  el.preset.addEventListener('change', () => {
    if (!run?.shown) return;
    setWindow(WINDOW_PRESETS[el.preset.value]?.({ center: run.shown.center, width: run.shown.width }));
  });
  const typed = (): void => {
    const center = Number(el.center.value);
    const width = Number(el.width.value);
    if (Number.isFinite(center) && width > 0) setWindow({ center, width });
  };
  el.center.addEventListener('change', typed);
  el.width.addEventListener('change', typed);
  // Drag on the scan: sideways changes the width, up and down the centre (as on a PACS workstation).
  let drag: { x: number; y: number; window: Window } | undefined;
  ui.overlay.addEventListener('pointerdown', (e) => {
    if (!run?.shown) return;
    drag = { x: e.clientX, y: e.clientY, window: { center: run.shown.center, width: run.shown.width } };
    ui.overlay.setPointerCapture(e.pointerId);
  });
  ui.overlay.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const k = drag.window.width / 200;
    el.center.value = String(Math.round((drag.window.center - (e.clientY - drag.y) * k) * 10) / 10);
    el.width.value = String(Math.max(1, Math.round((drag.window.width + (e.clientX - drag.x) * k) * 10) / 10));
  });
  ui.overlay.addEventListener('pointerup', () => {
    if (!drag) return;
    drag = undefined;
    typed();
  });
}
