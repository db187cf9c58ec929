// Browser InferenceEngine over onnxruntime-web: picks WebGPU, threaded WASM or single-thread WASM and says which.
import type * as Ort from 'onnxruntime-web';
import { OrtSessionEngine } from '../core/ort-session-engine.js';

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export interface BackendChoice {
  kind: 'webgpu' | 'wasm';
  threads: number;
  /** For the status line: why this backend, in words a kiosk operator understands. */
  reason: string;
}

type OrtModule = typeof Ort;

/** ORT files live in ./ort/ beside index.html (copied by vite.config.ts), so they are served and cached like the app. */
const ORT_BASE = new URL('./ort/', document.baseURI).href;

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean };
}

/** 'hardware', 'software' (a fallback adapter such as SwiftShader: slower than WASM) or 'none'. */
async function webGpuAdapter(): Promise<'hardware' | 'software' | 'none'> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  if (!gpu) return 'none';
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return 'none';
    return adapter.info?.isFallbackAdapter || adapter.isFallbackAdapter ? 'software' : 'hardware';
  } catch {
    return 'none';
  }
}

/** The JSPI build is the only WebGPU build small enough for every host (see vite.config.ts); it needs WebAssembly.Suspending. */
const hasJspi = () => typeof (WebAssembly as unknown as { Suspending?: unknown }).Suspending === 'function';

export async function chooseBackend(preference: BackendPreference): Promise<BackendChoice> {
  const adapter = preference === 'wasm' ? 'none' : await webGpuAdapter();
  // Automatic mode skips software adapters: on a CPU, ORT's WASM kernels beat an emulated GPU by far.
  if (adapter === 'hardware' || (adapter === 'software' && preference === 'webgpu')) {
    if (hasJspi()) return { kind: 'webgpu', threads: 1, reason: adapter === 'software' ? 'software WebGPU adapter, chosen in settings' : 'WebGPU adapter found' };
    if (preference === 'webgpu') throw new Error('WebGPU is available but this browser lacks WebAssembly JSPI, which the kiosk\'s WebGPU build needs. Choose "WASM" in settings.');
  } else if (preference === 'webgpu') {
    throw new Error('This browser has no usable WebGPU adapter. Choose "Automatic" or "WASM" in settings.');
  }
  const why = adapter === 'software' ? 'only a software WebGPU adapter; ' : '';
  if (globalThis.crossOriginIsolated && typeof SharedArrayBuffer === 'function') {
    const threads = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
    return { kind: 'wasm', threads, reason: `${why}page is cross-origin isolated` };
  }
  return { kind: 'wasm', threads: 1, reason: `${why}page is not cross-origin isolated, so no threads` };
}

export function describeBackend(choice: BackendChoice): string {
  if (choice.kind === 'webgpu') return 'WebGPU';
  return `WASM, ${choice.threads} thread${choice.threads === 1 ? '' : 's'}`;
}

async function loadOrt(choice: BackendChoice): Promise<OrtModule> {
  const entry = choice.kind === 'webgpu' ? 'ort.jspi.min.mjs' : 'ort.wasm.min.mjs';
  const ort = (await import(/* @vite-ignore */ ORT_BASE + entry)) as OrtModule;
  ort.env.wasm.wasmPaths = ORT_BASE;
  ort.env.wasm.numThreads = choice.threads;
  // Threads run in workers created from the ORT script itself; proxying the whole session adds a copy per run.
  ort.env.wasm.proxy = false;
  return ort;
}

/** The shared onnxruntime-web engine, plus the backend choice the kiosk shows and how it got there. */
export class OrtWebEngine extends OrtSessionEngine {
  readonly choice: BackendChoice;
  readonly #ort: OrtModule;

  private constructor(ort: OrtModule, session: Ort.InferenceSession, choice: BackendChoice) {
    super(`onnxruntime-web/${choice.kind === 'webgpu' ? 'webgpu' : `wasm (${choice.threads} thread${choice.threads === 1 ? '' : 's'})`}`, ort.Tensor, session);
    this.choice = choice;
    this.#ort = ort;
  }

  /**
   * Picks the backend and starts ORT's runtime (wasm download, compile, thread pool) before the model is here, so
   * both downloads overlap. ORT initialises its backend on the first session creation and has no separate call for it;
   * a session from an empty buffer does exactly that initialisation, then fails on parsing, which is expected.
   */
  static prepare(preference: BackendPreference = 'auto'): Promise<{ choice: BackendChoice; ort: OrtModule }> {
    return (async () => {
      const choice = await chooseBackend(preference);
      const ort = await loadOrt(choice);
      performance.mark('kiosk:ort-imported');
      await ort.InferenceSession.create(new Uint8Array(0), { executionProviders: [choice.kind] }).then(
        (s) => s.release(),
        () => undefined,
      );
      performance.mark('kiosk:ort-initialised');
      return { choice, ort };
    })();
  }

  /**
   * A second model (the input gate) on the CPU kernels of the ORT build `engine` loaded: for a model that small a WebGPU
   * dispatch costs more than the whole run, and one GPU session is enough to keep alive.
   */
  static async onCpuBeside(engine: OrtWebEngine, model: Uint8Array): Promise<OrtWebEngine> {
    const session = await engine.#ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return new OrtWebEngine(engine.#ort, session, { ...engine.choice, kind: 'wasm', reason: `beside ${describeBackend(engine.choice)}` });
  }

  static async create(model: Uint8Array, preference: BackendPreference = 'auto', prepared?: Promise<{ choice: BackendChoice; ort: OrtModule }>): Promise<OrtWebEngine> {
    let { choice, ort } = await (prepared ?? OrtWebEngine.prepare(preference));
    try {
      const session = await ort.InferenceSession.create(model, { executionProviders: [choice.kind], graphOptimizationLevel: 'all' });
      return new OrtWebEngine(ort, session, choice);
    } catch (error) {
      if (choice.kind !== 'webgpu' || preference === 'webgpu') throw error;
      // An adapter that fails at session creation (old driver, blocked feature) should not leave the kiosk unusable.
      choice = await chooseBackend('wasm');
      choice = { ...choice, reason: `WebGPU failed (${(error as Error).message}); ${choice.reason}` };
      ort = await loadOrt(choice);
      const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      return new OrtWebEngine(ort, session, choice);
    }
  }
}
