// Runs the shared core classifier in this browser on the ORT-web engine: decode, preprocess, infer, saliency, all core code.
import { createClassifier, type Classifier } from '../core/classifier.js';
import type { EngineTensor, InferenceEngine } from '../core/engine.js';
import type { RawImage } from '../core/image.js';
import { loadModel } from '../core/model-loader.js';
import { renderSaliency } from '../core/saliency.js';
import { fetchModelFiles } from './model-source.js';
import { OrtWebEngine, describeBackend, type BackendChoice, type BackendPreference } from './ort-engine.js';
import type { KioskResult, Overlay, Runner, Scan } from './result.js';
import { whenControlled } from './sw-client.js';

/**
 * Passes runs through and keeps the last outputs. The kiosk draws overlays as pixels, so it renders them from the
 * in-graph CAM with the core's renderSaliency instead of asking the classifier for a PNG it would not use (encoding
 * one cost more than the inference here), and another class's heatmap needs no second inference.
 */
class RecordingEngine implements InferenceEngine {
  last?: Record<string, EngineTensor>;
  constructor(private readonly inner: InferenceEngine) {}
  get backend() {
    return this.inner.backend;
  }
  get inputNames() {
    return this.inner.inputNames;
  }
  get outputNames() {
    return this.inner.outputNames;
  }
  async run(feeds: Record<string, EngineTensor>) {
    this.last = await this.inner.run(feeds);
    return this.last;
  }
  release() {
    return this.inner.release();
  }
}

interface CamOf {
  image: RawImage;
  cam: EngineTensor;
}

export class DeviceRunner implements Runner {
  readonly source = 'device' as const;
  readonly backend: string;
  readonly choice: BackendChoice;
  readonly classifier: Classifier;
  private readonly engine: RecordingEngine;
  /** The CAM of the scan on screen, so switching classes only re-renders. Dropped with the scan. */
  private current?: CamOf;
  private used = false;

  private constructor(classifier: Classifier, engine: RecordingEngine, choice: BackendChoice) {
    this.classifier = classifier;
    this.engine = engine;
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
    const files = await fetchModelFiles();
    performance.mark('kiosk:model-fetched');
    let engine: OrtWebEngine | undefined;
    const { manifest } = await loadModel({
      ...files,
      createEngine: async (onnx) => (engine = await OrtWebEngine.create(onnx, preference, prepared)),
    });
    performance.mark('kiosk:engine-ready');
    const recording = new RecordingEngine(engine!);
    const runner = new DeviceRunner(createClassifier({ manifest, engine: recording }), recording, engine!.choice);
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
      void this.classifier.classifyImage(blank).then(() => performance.mark('kiosk:warm'), () => undefined);
    }, 0);
  }

  private get camName(): string | undefined {
    return this.classifier.manifest.outputs.cam;
  }

  private overlayFromCam(label: string): Overlay {
    const { image, cam } = this.current!;
    const [, , h, w] = cam.dims;
    const index = this.classifier.manifest.labels.indexOf(label);
    if (index < 0) throw new Error(`"${label}" is not a label of this model`);
    const rgba = renderSaliency(cam.data.subarray(index * w * h, (index + 1) * w * h), w, h, image, 'overlay');
    return { label, width: image.width, height: image.height, rgba };
  }

  async classify(scan: Scan): Promise<KioskResult> {
    this.used = true;
    this.current = undefined;
    const t0 = performance.now();
    const camName = this.camName;
    // Models without a CAM output get the classifier's occlusion saliency; it has no cheaper path.
    const r = await this.classifier.classifyImage(scan.image, camName ? {} : { saliency: 'overlay' });
    let overlay: Overlay;
    let saliencyMs: number | undefined;
    if (camName) {
      const cam = this.engine.last?.[camName];
      if (!cam) throw new Error(`the model gave no "${camName}" output`);
      // Copied: ORT may reuse its output buffers on the next run.
      this.current = { image: scan.image, cam: { data: cam.data.slice(), dims: cam.dims } };
      const ts = performance.now();
      overlay = this.overlayFromCam(r.label);
      saliencyMs = performance.now() - ts;
    } else {
      const s = r.saliency!;
      overlay = { label: s.label, width: s.width, height: s.height, rgba: s.rgba };
    }
    return {
      source: 'device',
      label: r.label,
      confidence: r.confidence,
      probabilities: r.probabilities,
      labels: this.classifier.manifest.labels,
      model: r.model,
      backend: this.backend,
      image: r.image,
      overlay,
      elapsedMs: performance.now() - t0,
      timings: { ...r.timings, ...(saliencyMs !== undefined ? { saliency: saliencyMs } : {}) },
    };
  }

  async overlayFor(scan: Scan, label: string): Promise<Overlay> {
    if (this.current?.image === scan.image) return this.overlayFromCam(label);
    const s = (await this.classifier.classifyImage(scan.image, { saliency: 'overlay', saliencyClass: label })).saliency!;
    return { label: s.label, width: s.width, height: s.height, rgba: s.rgba };
  }

  /** Forget the scan on screen (New image). */
  forget(): void {
    this.current = undefined;
  }
}
