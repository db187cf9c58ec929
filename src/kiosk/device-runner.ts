// Runs the shared core in this browser on the ORT-web engine: the input gate, then infer once, any class's heatmap from it.
import type { Classifier, Inference } from '../core/classifier.js';
import { loadGate, notBrainMri, noteGateDoubt, type Gate, type GateResult } from '../core/gate.js';
import type { RawImage } from '../core/image.js';
import { loadClassifier } from '../core/load-classifier.js';
import { fetchModelFiles, GATE_MANIFEST_URL } from './model-source.js';
import { OrtWebEngine, describeBackend, type BackendChoice, type BackendPreference } from './ort-engine.js';
import type { KioskResult, Overlay, Runner, Scan } from './result.js';
import { whenControlled } from './sw-client.js';

export class DeviceRunner implements Runner {
  readonly source = 'device' as const;
  readonly backend: string;
  readonly choice: BackendChoice;
  readonly classifier: Classifier;
  readonly gate: Gate;
  /** The inference of the scan on screen, so switching classes only re-renders. Dropped with the scan. */
  private current?: { image: RawImage; inference: Inference };
  private used = false;

  private constructor(classifier: Classifier, gate: Gate, choice: BackendChoice) {
    this.classifier = classifier;
    this.gate = gate;
    this.choice = choice;
    this.backend = describeBackend(choice);
  }

  static async create(preference: BackendPreference): Promise<DeviceRunner> {
    if (!globalThis.crypto?.subtle) {
      throw new Error('This page is not a secure context (HTTPS or localhost), so the browser cannot verify the model. Open the kiosk over HTTPS or use server mode in settings.');
    }
    // ORT's runtime starts while the model downloads; both come through the service worker.
    const prepared = whenControlled().then(() => OrtWebEngine.prepare(preference));
    prepared.catch(() => undefined); // Reported by create() below, not as an unhandled rejection.
    const [files, gateFiles] = await Promise.all([fetchModelFiles(), fetchModelFiles(GATE_MANIFEST_URL)]);
    performance.mark('kiosk:model-fetched');
    let engine: OrtWebEngine | undefined;
    const classifier = await loadClassifier({
      ...files,
      createEngine: async (onnx) => (engine = await OrtWebEngine.create(onnx, preference, prepared)),
    });
    const gate = await loadGate({ ...gateFiles, createEngine: (onnx) => OrtWebEngine.onCpuBeside(engine!, onnx) });
    performance.mark('kiosk:engine-ready');
    const runner = new DeviceRunner(classifier, gate, engine!.choice);
    runner.warmupWhenIdle();
    return runner;
  }

  /**
   * The first run allocates and tunes kernels. Do it while the kiosk waits for a scan, but never in front of one:
   * when a scan is already waiting (dropped during load), its own run is the warm-up.
   */
  private warmupWhenIdle(): void {
    setTimeout(() => {
      if (this.used) return;
      const { width, height } = this.classifier.manifest.preprocessing.resize;
      const blank: RawImage = { data: new Uint8Array(width * height).fill(64), width, height, channels: 1 };
      void this.classifier.infer(blank).then(() => performance.mark('kiosk:warm'), () => undefined);
    }, 0);
  }

  private async overlay(image: RawImage, inference: Inference, label: string): Promise<Overlay> {
    const e = await this.classifier.explain(inference, image, { label, view: 'overlay' });
    return { label: e.label, width: e.rgba.width, height: e.rgba.height, rgba: e.rgba.data };
  }

  /** The gate's verdict; throws not_brain_mri (an ImageInputError) when it refuses, as the servers answer 422. */
  private async admit(image: RawImage): Promise<GateResult> {
    const verdict = await this.gate.check(image);
    if (!verdict.accepted) throw notBrainMri(verdict);
    return verdict;
  }

  async classify(scan: Scan): Promise<KioskResult> {
    this.used = true;
    this.current = undefined;
    const t0 = performance.now();
    const gate = await this.admit(scan.image);
    const inference = noteGateDoubt(await this.classifier.infer(scan.image), gate);
    this.current = { image: scan.image, inference };
    const ts = performance.now();
    const overlay = await this.overlay(scan.image, inference, inference.label);
    const explainMs = performance.now() - ts;
    return {
      source: 'device',
      label: inference.label,
      confidence: inference.confidence,
      probabilities: inference.probabilities,
      reasons: inference.reasons,
      labels: this.classifier.manifest.labels,
      model: inference.model,
      gate: { score: gate.score, uncertainBelow: gate.uncertainBelow, model: gate.model },
      backend: this.backend,
      image: inference.image,
      overlay,
      elapsedMs: performance.now() - t0,
      timings: { gate: gate.ms, ...inference.timings, explain: explainMs },
    };
  }

  async overlayFor(scan: Scan, label: string): Promise<Overlay> {
    if (this.current?.image !== scan.image) this.current = { image: scan.image, inference: await this.classifier.infer(scan.image) };
    return this.overlay(scan.image, this.current.inference, label);
  }

  /** Class probabilities only (no heatmap), or undefined when the gate refuses the slice: for the slices of a series the screen does not show. */
  async probabilities(image: RawImage): Promise<Record<string, number> | undefined> {
    this.used = true;
    if (!(await this.gate.check(image)).accepted) return undefined;
    return (await this.classifier.infer(image)).probabilities;
  }

  /** Forget the scan on screen (New image). */
  forget(): void {
    this.current = undefined;
  }
}
