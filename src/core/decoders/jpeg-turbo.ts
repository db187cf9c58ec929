// libjpeg-turbo's TurboJPEG API compiled to WebAssembly (the @cwasm/jpeg-turbo build): the one JPEG decoder of every runtime.
//
// One build everywhere gives the same pixels on Node, in a Worker and in the kiosk, and the same as PIL, which trains the
// model with libjpeg-turbo too (default islow IDCT, fancy upsampling). The wrapper is ours because the package's own is
// Node-only (it reads the file with fs); it is the few calls below.
import { lazyModule, type WasmModuleSource } from '../wasm.js';

const TJPF_RGB = 0;
const TJPF_GRAY = 6;
/** Past this, the instance's memory (which WebAssembly cannot shrink) is dropped with the instance after the decode. */
const KEEP_MEMORY_BYTES = 16 * 1024 * 1024;

interface TurboExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(ptr: number): void;
  tjInitDecompress(): number;
  tjDecompressHeader3(handle: number, buf: number, size: number, width: number, height: number, subsamp: number, colorspace: number): number;
  tjDecompress2(handle: number, buf: number, size: number, dst: number, width: number, pitch: number, height: number, format: number, flags: number): number;
  tjDestroy(handle: number): number;
}

/** libjpeg gave up on the data (what it would report as a fatal error). */
export class JpegDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JpegDataError';
  }
}

export interface TurboImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** libjpeg reported corrupt data (a warning such as "Corrupt JPEG data: bad Huffman code") but produced pixels. */
  warning: boolean;
}

function imports(memory: () => WebAssembly.Memory): WebAssembly.Imports {
  const ENOSYS = 52;
  return {
    env: {
      // The build has no exception support: libjpeg's longjmp after a fatal error surfaces as this JS exception. The C
      // stack was unwound by JS, not by C, so the instance is discarded after it (see decode()).
      setjmp: () => 0,
      longjmp: () => {
        throw new JpegDataError('libjpeg stopped on damaged data');
      },
    },
    wasi_snapshot_preview1: {
      // getenv("JPEGMEM") asks for the environment: there is none.
      environ_sizes_get(count: number, size: number) {
        const view = new DataView(memory().buffer);
        view.setUint32(count, 0, true);
        view.setUint32(size, 0, true);
        return 0;
      },
      environ_get: () => 0,
      proc_exit: () => {
        throw new JpegDataError('libjpeg exited');
      },
      fd_close: () => ENOSYS,
      fd_seek: () => ENOSYS,
      fd_write: () => ENOSYS,
    },
  };
}

export interface JpegTurbo {
  /**
   * Decodes to 1 (grey) or 3 (RGB) channels. `size` is the frame size the caller already read (and admitted) from the
   * header; `denominator` 2, 4 or 8 decodes at that fraction (ceil(size / n)) through libjpeg's scaled IDCT, the way
   * PIL's Image.draft does. Throws JpegDataError.
   */
  decode(bytes: Uint8Array, channels: 1 | 3, size: { width: number; height: number }, denominator?: 1 | 2 | 4 | 8): Promise<TurboImage>;
  /** Instantiates the module now rather than on the first decode. */
  warmup(): Promise<void>;
}

export function createJpegTurbo(source: WasmModuleSource): JpegTurbo {
  const getModule = lazyModule(source);
  let instance: Promise<TurboExports> | undefined;

  const exportsOf = (): Promise<TurboExports> => {
    instance ??= (async () => {
      // The imports need the instance's memory, which exists only once the instance does.
      const holder: { memory?: WebAssembly.Memory } = {};
      const created = await WebAssembly.instantiate(await getModule(), imports(() => holder.memory!));
      const exports = created.exports as unknown as TurboExports;
      holder.memory = exports.memory;
      return exports;
    })().catch((error: unknown) => {
      instance = undefined;
      throw error;
    });
    return instance;
  };

  return {
    async warmup() {
      await exportsOf();
    },
    async decode(bytes, channels, size, denominator = 1) {
      const x = await exportsOf();
      const width = Math.ceil(size.width / denominator);
      const height = Math.ceil(size.height / denominator);
      let handle = 0;
      const input = x.malloc(bytes.length);
      const meta = x.malloc(16);
      const output = x.malloc(width * height * channels);
      let discard = false;
      try {
        if (!input || !meta || !output) throw new JpegDataError(`not enough memory to decode ${width} x ${height}`);
        new Uint8Array(x.memory.buffer, input, bytes.length).set(bytes);
        handle = x.tjInitDecompress();
        if (x.tjDecompressHeader3(handle, input, bytes.length, meta, meta + 4, meta + 8, meta + 12) !== 0) {
          throw new JpegDataError('the header could not be read');
        }
        const [w, h] = new Int32Array(x.memory.buffer, meta, 2);
        if (w !== size.width || h !== size.height) throw new JpegDataError(`libjpeg reads the frame as ${w} x ${h}, the header says ${size.width} x ${size.height}`);
        const status = x.tjDecompress2(handle, input, bytes.length, output, width, width * channels, height, channels === 1 ? TJPF_GRAY : TJPF_RGB, 0);
        // TurboJPEG returns -1 after a complete decode when libjpeg warned (corrupt or truncated data).
        const data = new Uint8Array(x.memory.buffer, output, width * height * channels).slice();
        return { data, width, height, warning: status !== 0 };
      } catch (error) {
        discard = true;
        throw error instanceof JpegDataError ? error : new JpegDataError((error as Error).message ?? String(error));
      } finally {
        if (discard || x.memory.buffer.byteLength > KEEP_MEMORY_BYTES) {
          instance = undefined;
        } else {
          if (handle) x.tjDestroy(handle);
          x.free(output);
          x.free(meta);
          x.free(input);
        }
      }
    },
  };
}
