// The compressed-pixel codecs of DICOM, each loaded on first use: a JPEG 2000 or JPEG-LS file pulls in its codec, others never do.
//
// OpenJPEG and CharLS are cornerstone's Emscripten builds; their glue is imported lazily and handed the runtime's
// compiled module through Emscripten's instantiateWasm hook (workerd may not compile bytes, and the glue's own file
// loading is Node- or browser-only). JPEG lossless is jpeg-lossless-decoder-js (pure JS), 8-bit JPEG is the core's
// libjpeg-turbo, 12-bit JPEG the core's own decoder (jpeg12.ts).
import { lazyModule, type WasmModuleSource } from '../wasm.js';
import type { JpegTurbo } from './jpeg-turbo.js';

export interface DicomCodecModules {
  /** @cornerstonejs/codec-openjpeg/decodewasm (dist/openjpegwasm_decode.wasm). */
  openjpeg: WasmModuleSource;
  /** @cornerstonejs/codec-charls/decodewasm (dist/charlswasm_decode.wasm). */
  charls: WasmModuleSource;
}

/** A decoded codestream: samples as the codec returns them (little endian, 8 or 16 bits, components interleaved). */
export interface CodecFrame {
  data: Uint8Array;
  width: number;
  height: number;
  components: number;
  bitsPerSample: number;
  signed?: boolean;
}

export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

type Factory = (options: EmscriptenFactoryOptions) => Promise<Record<string, new () => CornerstoneDecoder>>;

/** Past this, an instance's memory (which WebAssembly cannot shrink) is dropped with it after the decode. */
const KEEP_MEMORY_BYTES = 64 * 1024 * 1024;

function emscriptenCodec(loadGlue: () => Promise<Factory>, source: WasmModuleSource, className: string) {
  const getModule = lazyModule(source);
  let instance: Promise<Record<string, new () => CornerstoneDecoder> & { HEAPU8?: Uint8Array }> | undefined;
  const load = () => {
    instance ??= (async () => {
      const [factory, module] = await Promise.all([loadGlue(), getModule()]);
      // The glue reads self.location.href when WorkerGlobalScope exists; workerd has that global but no location.
      // Give it an empty one while the factory starts (synchronously), then take it away again.
      const scope = globalThis as { location?: unknown; WorkerGlobalScope?: unknown };
      const patched = scope.WorkerGlobalScope !== undefined && scope.location === undefined;
      if (patched) Object.defineProperty(globalThis, 'location', { value: { href: '' }, configurable: true, writable: true });
      try {
        return await factory({
          instantiateWasm(imports, done) {
            void WebAssembly.instantiate(module, imports).then((created) => done(created, module));
            return {};
          },
          // The codecs print warnings about damaged codestreams; the error that follows says what matters.
          print: () => undefined,
          printErr: () => undefined,
        });
      } finally {
        if (patched) delete scope.location;
      }
    })().catch((error: unknown) => {
      instance = undefined;
      throw error;
    });
    return instance;
  };
  return async (bytes: Uint8Array): Promise<CodecFrame> => {
    const lib = await load();
    const decoder = new lib[className]();
    let discard = false;
    try {
      decoder.getEncodedBuffer(bytes.length).set(bytes);
      decoder.decode();
      const info = decoder.getFrameInfo();
      return {
        data: decoder.getDecodedBuffer().slice(),
        width: info.width,
        height: info.height,
        components: info.componentCount,
        bitsPerSample: info.bitsPerSample,
        signed: info.isSigned,
      };
    } catch (error) {
      // An Emscripten abort leaves the instance unusable.
      discard = true;
      throw new CodecError(typeof error === 'string' ? error : ((error as Error)?.message ?? String(error)));
    } finally {
      try {
        decoder.delete();
      } catch {
        discard = true;
      }
      if (discard || (lib.HEAPU8?.byteLength ?? 0) > KEEP_MEMORY_BYTES) instance = undefined;
    }
  };
}

export interface DicomCodecs {
  jpeg2000(bytes: Uint8Array): Promise<CodecFrame>;
  jpegLs(bytes: Uint8Array): Promise<CodecFrame>;
  jpegLossless(bytes: Uint8Array, bytesPerSample: 1 | 2): Promise<CodecFrame>;
  jpeg12(bytes: Uint8Array): Promise<CodecFrame>;
  turbo: JpegTurbo;
}

const asBytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** `turbo`: the core's libjpeg-turbo instance, shared with the JPEG decoder. */
export function createDicomCodecs(modules: DicomCodecModules, turbo: JpegTurbo): DicomCodecs {
  return {
    jpeg2000: emscriptenCodec(async () => (await import('@cornerstonejs/codec-openjpeg/decodewasmjs')).default as unknown as Factory, modules.openjpeg, 'J2KDecoder'),
    jpegLs: emscriptenCodec(async () => (await import('@cornerstonejs/codec-charls/decodewasmjs')).default as unknown as Factory, modules.charls, 'JpegLSDecoder'),
    async jpegLossless(bytes, bytesPerSample) {
      const { Decoder } = await import('jpeg-lossless-decoder-js');
      const decoder = new Decoder();
      let out: ArrayBufferView;
      try {
        out = decoder.decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, 0, bytes.byteLength, bytesPerSample);
      } catch (error) {
        throw new CodecError(typeof error === 'string' ? error : ((error as Error)?.message ?? String(error)));
      }
      const f = decoder.frame;
      return { data: asBytes(out), width: f.dimX, height: f.dimY, components: f.numComp, bitsPerSample: f.precision };
    },
    async jpeg12(bytes) {
      const { decodeJpeg12 } = await import('./jpeg12.js');
      try {
        const d = decodeJpeg12(bytes);
        return { data: asBytes(d.data), width: d.width, height: d.height, components: d.components, bitsPerSample: 12 };
      } catch (error) {
        throw new CodecError((error as Error).message);
      }
    },
    turbo,
  };
}
