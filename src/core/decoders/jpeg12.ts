// 12-bit JPEG (DICOM "JPEG Extended, process 4": sequential DCT, Huffman) to 16-bit samples, in plain TypeScript.
//
// Ours because no maintained package fits: libjpeg-turbo's WebAssembly builds on npm (@cwasm/jpeg-turbo, cornerstone's
// 8-bit codec) are 8-bit only; cornerstone's 12-bit decoder lives inside @cornerstonejs/dicom-image-loader, which is not
// importable on its own and pulls vtk.js in as a peer; dcmjs-codecs is a 4 MB transcoder over dcmjs. This follows IJG
// libjpeg 6b with 12-bit samples (what dcmtk's dcmdjpeg uses): the same Huffman decoding and the same integer "islow"
// IDCT (CONST_BITS 13, PASS1_BITS 1), so its pixels match dcmtk's. 8-bit frames never come here (libjpeg-turbo).

export class Jpeg12Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Jpeg12Error';
  }
}

export interface JpegFrameInfo {
  precision: number;
  width: number;
  height: number;
  components: number;
  /** SOF marker low byte (0xc0 baseline, 0xc1 extended, 0xc2 progressive, 0xc3 lossless, ...). */
  sof: number;
}

/** The frame header of a JPEG codestream, or undefined when there is none before the first scan. */
export function jpegFrameInfo(bytes: Uint8Array): JpegFrameInfo | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 10 > bytes.length) return undefined;
      return { sof: marker, precision: bytes[at + 4], height: (bytes[at + 5] << 8) | bytes[at + 6], width: (bytes[at + 7] << 8) | bytes[at + 8], components: bytes[at + 9] };
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    at += 2 + length;
  }
  return undefined;
}

const ZIGZAG = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29,
  22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

interface Huffman {
  maxcode: Int32Array; // per length 1..16, -1 when none
  valptr: Int32Array;
  mincode: Int32Array;
  values: Uint8Array;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = counts[l - 1];
    if (n) {
      valptr[l] = k;
      mincode[l] = code;
      code += n;
      k += n;
      maxcode[l] = code - 1;
    }
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { maxcode, valptr, mincode, values };
}

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  blocksPerLine: number;
  blocksPerColumn: number;
  /** Dequantised-and-transformed samples, blocksPerLine*8 x blocksPerColumn*8. */
  samples: Uint16Array;
  pred: number;
  dc?: Huffman;
  ac?: Huffman;
}

// IJG jidctint.c constants for CONST_BITS = 13.
const F_0_298 = 2446;
const F_0_390 = 3196;
const F_0_541 = 4433;
const F_0_765 = 6270;
const F_0_899 = 7373;
const F_1_175 = 9633;
const F_1_501 = 12299;
const F_1_847 = 15137;
const F_1_961 = 16069;
const F_2_053 = 16819;
const F_2_562 = 20995;
const F_3_072 = 25172;
const CONST_BITS = 13;
const PASS1_BITS = 1; // 12-bit samples (jidctint.c: BITS_IN_JSAMPLE == 12)

/** DESCALE with an arithmetic shift, in doubles: 12-bit products pass 32 bits, as IJG's INT32 (a C long) allows. */
const descale = (x: number, n: number): number => Math.floor((x + 2 ** (n - 1)) / 2 ** n);

const workspace = new Float64Array(64);

/** IJG's jpeg_idct_islow on one dequantised block (natural order), written into out at (x, y). */
function idctBlock(coef: Float64Array, out: Uint16Array, stride: number, x0: number, y0: number): void {
  const ws = workspace;
  for (let c = 0; c < 8; c++) {
    if (coef[8 + c] === 0 && coef[16 + c] === 0 && coef[24 + c] === 0 && coef[32 + c] === 0 && coef[40 + c] === 0 && coef[48 + c] === 0 && coef[56 + c] === 0) {
      const dc = coef[c] * 2 ** PASS1_BITS;
      for (let r = 0; r < 8; r++) ws[r * 8 + c] = dc;
      continue;
    }
    let z2 = coef[16 + c];
    let z3 = coef[48 + c];
    let z1 = (z2 + z3) * F_0_541;
    let tmp2 = z1 + z3 * -F_1_847;
    let tmp3 = z1 + z2 * F_0_765;
    z2 = coef[c];
    z3 = coef[32 + c];
    let tmp0 = (z2 + z3) * 2 ** CONST_BITS;
    let tmp1 = (z2 - z3) * 2 ** CONST_BITS;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    tmp0 = coef[56 + c];
    tmp1 = coef[40 + c];
    tmp2 = coef[24 + c];
    tmp3 = coef[8 + c];
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F_1_175;
    tmp0 *= F_0_298;
    tmp1 *= F_2_053;
    tmp2 *= F_3_072;
    tmp3 *= F_1_501;
    z1 *= -F_0_899;
    z2 *= -F_2_562;
    z3 = z3 * -F_1_961 + z5;
    z4 = z4 * -F_0_390 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    const n = CONST_BITS - PASS1_BITS;
    ws[c] = descale(tmp10 + tmp3, n);
    ws[56 + c] = descale(tmp10 - tmp3, n);
    ws[8 + c] = descale(tmp11 + tmp2, n);
    ws[48 + c] = descale(tmp11 - tmp2, n);
    ws[16 + c] = descale(tmp12 + tmp1, n);
    ws[40 + c] = descale(tmp12 - tmp1, n);
    ws[24 + c] = descale(tmp13 + tmp0, n);
    ws[32 + c] = descale(tmp13 - tmp0, n);
  }
  const n = CONST_BITS + PASS1_BITS + 3;
  const put = (row: number, col: number, v: number): void => {
    const s = descale(v, n) + 2048;
    out[(y0 + row) * stride + x0 + col] = s < 0 ? 0 : s > 4095 ? 4095 : s;
  };
  for (let r = 0; r < 8; r++) {
    const w = r * 8;
    let z2 = ws[w + 2];
    let z3 = ws[w + 6];
    let z1 = (z2 + z3) * F_0_541;
    let tmp2 = z1 + z3 * -F_1_847;
    let tmp3 = z1 + z2 * F_0_765;
    let tmp0 = (ws[w] + ws[w + 4]) * 2 ** CONST_BITS;
    let tmp1 = (ws[w] - ws[w + 4]) * 2 ** CONST_BITS;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    tmp0 = ws[w + 7];
    tmp1 = ws[w + 5];
    tmp2 = ws[w + 3];
    tmp3 = ws[w + 1];
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F_1_175;
    tmp0 *= F_0_298;
    tmp1 *= F_2_053;
    tmp2 *= F_3_072;
    tmp3 *= F_1_501;
    z1 *= -F_0_899;
    z2 *= -F_2_562;
    z3 = z3 * -F_1_961 + z5;
    z4 = z4 * -F_0_390 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    put(r, 0, tmp10 + tmp3);
    put(r, 7, tmp10 - tmp3);
    put(r, 1, tmp11 + tmp2);
    put(r, 6, tmp11 - tmp2);
    put(r, 2, tmp12 + tmp1);
    put(r, 5, tmp12 - tmp1);
    put(r, 3, tmp13 + tmp0);
    put(r, 4, tmp13 - tmp0);
  }
}

/** Decodes a 12-bit sequential Huffman JPEG to component-interleaved samples 0..4095. Throws Jpeg12Error. */
export function decodeJpeg12(bytes: Uint8Array): { data: Uint16Array; width: number; height: number; components: number } {
  const quant: (Uint16Array | undefined)[] = [];
  const dcTables: (Huffman | undefined)[] = [];
  const acTables: (Huffman | undefined)[] = [];
  let frame: { width: number; height: number; components: Component[]; hmax: number; vmax: number; mcusX: number; mcusY: number } | undefined;
  let restart = 0;
  let at = 2;
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Jpeg12Error('no start-of-image marker');
  const u16 = (o: number): number => {
    if (o + 2 > bytes.length) throw new Jpeg12Error('the codestream ends inside a marker segment');
    return (bytes[o] << 8) | bytes[o + 1];
  };

  for (;;) {
    if (at + 2 > bytes.length) throw new Jpeg12Error('the codestream ends before the end-of-image marker');
    if (bytes[at] !== 0xff) throw new Jpeg12Error(`expected a marker at byte ${at}`);
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    at += 2;
    if (marker === 0xd9) break;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    const length = u16(at);
    const end = at + length;
    if (end > bytes.length) throw new Jpeg12Error('a marker segment runs past the end of the codestream');
    let p = at + 2;
    switch (marker) {
      case 0xdb: // DQT: 8- or 16-bit entries (12-bit files often use 16-bit tables)
        while (p < end) {
          const pq = bytes[p] >> 4;
          const tq = bytes[p] & 15;
          p++;
          const table = new Uint16Array(64);
          for (let i = 0; i < 64; i++) {
            table[ZIGZAG[i]] = pq ? u16(p) : bytes[p];
            p += pq ? 2 : 1;
          }
          quant[tq] = table;
        }
        break;
      case 0xc4: // DHT
        while (p < end) {
          const tc = bytes[p] >> 4;
          const th = bytes[p] & 15;
          const counts = bytes.subarray(p + 1, p + 17);
          let total = 0;
          for (let i = 0; i < 16; i++) total += counts[i];
          const values = bytes.slice(p + 17, p + 17 + total);
          (tc === 0 ? dcTables : acTables)[th] = buildHuffman(counts, values);
          p += 17 + total;
        }
        break;
      case 0xdd:
        restart = u16(p);
        break;
      case 0xc0:
      case 0xc1: {
        const precision = bytes[p];
        if (precision !== 12) throw new Jpeg12Error(`expected 12-bit samples, the frame has ${precision}`);
        const height = u16(p + 1);
        const width = u16(p + 3);
        const n = bytes[p + 5];
        if (!width || !height || n < 1 || n > 4) throw new Jpeg12Error('invalid frame header');
        const components: Component[] = [];
        let hmax = 1;
        let vmax = 1;
        for (let i = 0; i < n; i++) {
          const q = p + 6 + i * 3;
          const h = bytes[q + 1] >> 4;
          const v = bytes[q + 1] & 15;
          if (!h || !v) throw new Jpeg12Error('invalid sampling factors');
          hmax = Math.max(hmax, h);
          vmax = Math.max(vmax, v);
          components.push({ id: bytes[q], h, v, tq: bytes[q + 2], blocksPerLine: 0, blocksPerColumn: 0, samples: new Uint16Array(0), pred: 0 });
        }
        if (n > 1 && components.some((c) => c.h !== hmax || c.v !== vmax)) throw new Jpeg12Error('subsampled 12-bit colour is not supported');
        const mcusX = Math.ceil(width / (8 * hmax));
        const mcusY = Math.ceil(height / (8 * vmax));
        for (const c of components) {
          c.blocksPerLine = mcusX * c.h;
          c.blocksPerColumn = mcusY * c.v;
          c.samples = new Uint16Array(c.blocksPerLine * c.blocksPerColumn * 64);
        }
        frame = { width, height, components, hmax, vmax, mcusX, mcusY };
        break;
      }
      case 0xda: {
        if (!frame) throw new Jpeg12Error('scan before the frame header');
        const ns = bytes[p];
        const scan: Component[] = [];
        for (let i = 0; i < ns; i++) {
          const id = bytes[p + 1 + i * 2];
          const tables = bytes[p + 2 + i * 2];
          const c = frame.components.find((x) => x.id === id);
          if (!c) throw new Jpeg12Error(`the scan names component ${id}, which the frame does not have`);
          c.dc = dcTables[tables >> 4];
          c.ac = acTables[tables & 15];
          if (!c.dc || !c.ac) throw new Jpeg12Error('the scan uses a Huffman table that was not defined');
          if (!quant[c.tq]) throw new Jpeg12Error('the frame uses a quantisation table that was not defined');
          scan.push(c);
        }
        at = decodeScan(bytes, end, frame, scan, quant, restart);
        continue;
      }
      case 0xc2:
      case 0xc3:
      case 0xc5:
      case 0xc6:
      case 0xc7:
      case 0xc9:
      case 0xca:
      case 0xcb:
      case 0xcd:
      case 0xce:
      case 0xcf:
        throw new Jpeg12Error(`JPEG process with frame marker 0xFF${marker.toString(16).toUpperCase()} is not a 12-bit sequential Huffman codestream`);
      default:
        break; // APPn, COM, DNL and the like carry nothing we need
    }
    at = end;
  }
  if (!frame) throw new Jpeg12Error('no frame header');
  const { width, height, components } = frame;
  const n = components.length;
  const data = new Uint16Array(width * height * n);
  for (let ci = 0; ci < n; ci++) {
    const c = components[ci];
    const stride = c.blocksPerLine * 8;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(y * width + x) * n + ci] = c.samples[y * stride + x];
  }
  return { data, width, height, components: n };
}

/** Decodes one scan's entropy-coded data; returns the offset of the marker that ends it. */
function decodeScan(
  bytes: Uint8Array,
  start: number,
  frame: { width: number; height: number; hmax: number; vmax: number; mcusX: number; mcusY: number },
  scan: Component[],
  quant: (Uint16Array | undefined)[],
  restart: number,
): number {
  let at = start;
  let bits = 0;
  let count = 0;
  let hitMarker = false;
  const readBit = (): number => {
    if (count === 0) {
      if (hitMarker || at >= bytes.length) throw new Jpeg12Error('the image data ends early (truncated or damaged)');
      let b = bytes[at];
      if (b === 0xff) {
        const next = bytes[at + 1];
        if (next === 0) at += 2;
        else {
          hitMarker = true;
          throw new Jpeg12Error('the image data ends early (truncated or damaged)');
        }
      } else {
        at++;
      }
      bits = b;
      count = 8;
      b = 0;
    }
    count--;
    return (bits >> count) & 1;
  };
  const receive = (s: number): number => {
    let v = 0;
    for (let i = 0; i < s; i++) v = (v << 1) | readBit();
    return v;
  };
  const extend = (v: number, s: number): number => (s === 0 ? 0 : v < 1 << (s - 1) ? v - (1 << s) + 1 : v);
  const decodeHuff = (t: Huffman): number => {
    let code = readBit();
    let l = 1;
    while (code > t.maxcode[l]) {
      code = (code << 1) | readBit();
      l++;
      if (l > 16) throw new Jpeg12Error('bad Huffman code');
    }
    return t.values[t.valptr[l] + code - t.mincode[l]];
  };
  const coef = new Float64Array(64);
  const block = (c: Component, row: number, col: number): void => {
    coef.fill(0);
    const q = quant[c.tq]!;
    const s = decodeHuff(c.dc!);
    c.pred += extend(receive(s), s);
    coef[0] = c.pred * q[0];
    for (let k = 1; k < 64; ) {
      const rs = decodeHuff(c.ac!);
      const r = rs >> 4;
      const size = rs & 15;
      if (size === 0) {
        if (r !== 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) throw new Jpeg12Error('AC coefficient index out of range');
      const z = ZIGZAG[k];
      coef[z] = extend(receive(size), size) * q[z];
      k++;
    }
    idctBlock(coef, c.samples, c.blocksPerLine * 8, col * 8, row * 8);
  };
  const single = scan.length === 1;
  const c0 = scan[0];
  // A non-interleaved scan covers only the component's own blocks (ceil(samples / 8) a side), not the MCU padding.
  const ownCols = Math.ceil(Math.ceil((frame.width * c0.h) / frame.hmax) / 8);
  const ownRows = Math.ceil(Math.ceil((frame.height * c0.v) / frame.vmax) / 8);
  const units = single ? ownCols * ownRows : frame.mcusX * frame.mcusY;
  let mcu = 0;
  for (const c of scan) c.pred = 0;
  while (mcu < units) {
    if (restart && mcu > 0 && mcu % restart === 0) {
      // Byte-align, then expect RSTn.
      count = 0;
      hitMarker = false;
      while (at < bytes.length && bytes[at] === 0xff && bytes[at + 1] === 0xff) at++;
      if (bytes[at] === 0xff && bytes[at + 1] >= 0xd0 && bytes[at + 1] <= 0xd7) at += 2;
      else throw new Jpeg12Error('missing restart marker');
      for (const c of scan) c.pred = 0;
    }
    if (single) {
      block(c0, Math.floor(mcu / ownCols), mcu % ownCols);
    } else {
      const my = Math.floor(mcu / frame.mcusX);
      const mx = mcu % frame.mcusX;
      for (const c of scan) for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) block(c, my * c.v + v, mx * c.h + h);
    }
    mcu++;
  }
  // Skip to the next marker (fill bits, trailing bytes).
  while (at < bytes.length && !(bytes[at] === 0xff && bytes[at + 1] !== 0 && bytes[at + 1] !== 0xff)) at++;
  return at;
}
