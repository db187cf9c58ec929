// onnxruntime-node for the shared engine: how Node loads ORT, which execution provider it asks for, CPU as the fallback.
import * as ort from 'onnxruntime-node';
import type { InferenceEngine } from '../core/engine.js';
import { OrtSessionEngine } from '../core/ort-session-engine.js';

export type Provider = 'cpu' | 'webgpu' | 'cuda';
export const PROVIDERS: readonly Provider[] = ['cpu', 'webgpu', 'cuda'];

export interface OrtEngineOptions {
  provider?: Provider;
  /** Threads inside one operator (0: ORT decides). Runs are serialised, so one run may use every core. */
  intraOpThreads?: number;
  interOpThreads?: number;
  /** Receives the one line that says a provider was missing and CPU is used instead. */
  warn?: (message: string) => void;
}

function sessionOptions(provider: Provider, o: OrtEngineOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: o.intraOpThreads ?? 2,
    interOpNumThreads: o.interOpThreads ?? 1,
    executionMode: 'sequential',
    // Fixed-size inputs: the planner reuses one arena pattern across runs instead of allocating per run.
    enableCpuMemArena: true,
    enableMemPattern: true,
    // ORT's pool threads spin after each run by default; between requests that burns the cores the JavaScript side
    // (decode, gate, preprocessing) of the next request needs.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
    // When probing an optional provider, ORT's own error line would duplicate our single fallback message.
    ...(provider === 'cpu' ? {} : { logSeverityLevel: 4 as const }),
  };
}

export async function createOrtEngine(onnx: Uint8Array, options: OrtEngineOptions = {}): Promise<InferenceEngine> {
  const wanted = options.provider ?? 'cpu';
  let provider: Provider = wanted;
  let session: ort.InferenceSession;
  // ORT's native logger would print its own multi-line error for a missing provider library; ours is the one line.
  // (The level is fixed at ORT's first initialisation in the process.)
  if (wanted !== 'cpu') ort.env.logLevel = 'fatal';
  try {
    session = await ort.InferenceSession.create(onnx, sessionOptions(wanted, options));
  } catch (err) {
    if (wanted === 'cpu') throw err;
    // ORT messages start with a source path and a C++ signature; the useful part is after the last "::" or ": ".
    const first = ((err as Error).message ?? String(err)).split('\n')[0];
    const reason = first.replace(/^\/\S+:\d+ .*?\)\s*/, '').slice(0, 200).trim() || first.slice(0, 200);
    options.warn?.(`execution provider "${wanted}" is not available (${reason}); falling back to cpu`);
    provider = 'cpu';
    session = await ort.InferenceSession.create(onnx, sessionOptions('cpu', options));
  }
  return new OrtSessionEngine(`onnxruntime-node/${provider}`, ort.Tensor, session);
}
