// Types for the Emscripten glue of cornerstone's WebAssembly codecs (the packages ship none) and jpeg-lossless-decoder-js.

interface EmscriptenFactoryOptions {
  /** Emscripten's hook: instantiate the module ourselves from a compiled WebAssembly.Module (workerd cannot compile bytes). */
  instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void): object;
  print?(text: string): void;
  printErr?(text: string): void;
}

interface CornerstoneFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

interface CornerstoneDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CornerstoneFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options: EmscriptenFactoryOptions) => Promise<{ J2KDecoder: new () => CornerstoneDecoder }>;
  export default factory;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (options: EmscriptenFactoryOptions) => Promise<{ JpegLSDecoder: new () => CornerstoneDecoder }>;
  export default factory;
}

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    /** Decodes the codestream; returns little-endian samples (1 or 2 bytes each, `numBytes` forcing the width). */
    decode(buffer: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array | Int16Array;
    frame: { dimX: number; dimY: number; numComp: number; precision: number };
  }
}
