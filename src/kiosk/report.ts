// The print/save view: scan, overlay, result, model version and time; produced only when the user asks for it.
import { isUncertain } from '../core/postprocess.js';
import type { KioskResult } from './result.js';

export interface ReportInput {
  result: KioskResult;
  scan: HTMLCanvasElement;
  overlay: HTMLCanvasElement;
  overlayLabel: string;
  threshold: number;
  notice: string;
  at: Date;
}

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;

function lines(input: ReportInput): { result: string; meta: string } {
  const { result, threshold, at } = input;
  const uncertain = isUncertain(result.confidence, threshold) ? ' (uncertain, refer for review)' : '';
  return {
    result: `Predicted class: ${result.label}, confidence ${pct(result.confidence)}${uncertain}`,
    meta:
      `Model ${result.model.name} version ${result.model.version} (sha256 ${result.model.sha256.slice(0, 12)}…), ` +
      `run ${result.source === 'device' ? 'on this device' : 'on the server'} with ${result.backend}. ` +
      `Time ${at.toLocaleString()} (${at.toISOString()}).`,
  };
}

/** Fills the hidden #report section that the print stylesheet shows, then opens the print dialog (which can save a PDF). */
export function printReport(input: ReportInput): void {
  const { result: r } = input;
  const text = lines(input);
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  byId('report-notice').textContent = input.notice;
  byId<HTMLImageElement>('report-scan').src = input.scan.toDataURL('image/png');
  byId<HTMLImageElement>('report-overlay').src = input.overlay.toDataURL('image/png');
  byId('report-overlay-caption').textContent = `Heatmap for ${input.overlayLabel}`;
  byId('report-result').textContent = text.result;
  const table = byId<HTMLTableElement>('report-table');
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const h of ['Class', 'Probability']) head.appendChild(document.createElement('th')).textContent = h;
  const body = table.createTBody();
  for (const label of r.labels) {
    const row = body.insertRow();
    row.insertCell().textContent = label;
    row.insertCell().textContent = pct(r.probabilities[label] ?? 0);
  }
  byId('report-meta').textContent = text.meta;
  window.print();
}

/** Splits text into lines that fit maxWidth in the context's current font. */
function wrap(ctx: CanvasRenderingContext2D, text: string, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A single PNG with the scan, the overlay and the result text, downloaded to wherever the user saves files. */
export async function saveReportImage(input: ReportInput): Promise<void> {
  const { scan, overlay, result: r } = input;
  const side = 512;
  const pad = 24;
  const width = side * 2 + pad * 3;
  const text = lines(input);
  const blocks: { font: string; text: string; gap: number }[] = [
    { font: 'bold 24px sans-serif', text: text.result, gap: 8 },
    { font: '18px sans-serif', text: r.labels.map((l) => `${l} ${pct(r.probabilities[l] ?? 0)}`).join('  ·  ') + `  (heatmap: ${input.overlayLabel})`, gap: 6 },
    { font: '18px sans-serif', text: text.meta, gap: 12 },
    { font: 'bold 18px sans-serif', text: `NOT A DIAGNOSTIC DEVICE. ${input.notice}`, gap: 0 },
  ];
  const measure = document.createElement('canvas').getContext('2d')!;
  const laid = blocks.map((b) => {
    measure.font = b.font;
    return { ...b, lines: wrap(measure, b.text, width - pad * 2), size: Number(/(\d+)px/.exec(b.font)![1]) };
  });
  const textHeight = laid.reduce((h, b) => h + b.lines.length * Math.round(b.size * 1.3) + b.gap, 0);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = side + pad * 3 + textHeight;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const fit = (src: HTMLCanvasElement, x: number) => {
    const k = Math.min(side / src.width, side / src.height);
    const w = src.width * k;
    const h = src.height * k;
    ctx.drawImage(src, x + (side - w) / 2, pad + (side - h) / 2, w, h);
  };
  fit(scan, pad);
  fit(overlay, side + pad * 2);
  ctx.fillStyle = '#000000';
  ctx.textBaseline = 'top';
  let y = side + pad * 2;
  for (const b of laid) {
    ctx.font = b.font;
    for (const line of b.lines) {
      ctx.fillText(line, pad, y);
      y += Math.round(b.size * 1.3);
    }
    y += b.gap;
  }
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not create the picture');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  // No file name or patient data in the download name, only the time.
  a.download = `brain-mri-result-${input.at.toISOString().replace(/[:.]/g, '-')}.png`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
