// The one result shape the screen shows, whether the model ran on this device or on the server.
import type { RawImage } from '../core/image.js';

export interface Overlay {
  /** The class whose heatmap this is. */
  label: string;
  width: number;
  height: number;
  /** The core's overlay pixels (heatmap blended over the scan), RGBA. */
  rgba: Uint8ClampedArray;
}

export interface KioskResult {
  source: 'device' | 'server';
  label: string;
  confidence: number;
  probabilities: Record<string, number>;
  /** Why the model itself marks the result uncertain (low_confidence, unfamiliar); the kiosk's own threshold is applied on top. */
  reasons: readonly string[];
  labels: readonly string[];
  model: { name: string; version: string; sha256: string };
  /** The input gate that accepted the scan (absent when the server runs without one). */
  gate?: { score: number; uncertainBelow?: number; model: { name: string; version: string; sha256: string } };
  /** The engine that produced the result, e.g. "onnxruntime-web/wasm (2 threads)" or the server's backend. */
  backend: string;
  image: { width: number; height: number };
  overlay: Overlay;
  /** Wall time of the classification (this device or the round trip to the server), ms. */
  elapsedMs: number;
  /** Stage times where the model ran (core classifier timings), ms. */
  timings?: Record<string, number>;
}

/** Runs the model somewhere and hands back results and other classes' heatmaps for the same image. */
export interface Runner {
  readonly source: 'device' | 'server';
  /** Shown in the engine badge. */
  readonly backend: string;
  classify(scan: Scan): Promise<KioskResult>;
  overlayFor(scan: Scan, label: string): Promise<Overlay>;
}

/** One uploaded image: its bytes (sent to the server) and its pixels (decoded here by the core's pure decoder). */
export interface Scan {
  bytes: Uint8Array;
  mediaType: string;
  image: RawImage;
}
