// Types for jpeg-js's decoder entry, imported directly so the edge and kiosk bundles skip its encoder.
declare module 'jpeg-js/lib/decoder.js' {
  interface JpegJsOptions {
    useTArray?: boolean;
    colorTransform?: boolean;
    formatAsRGBA?: boolean;
    tolerantDecoding?: boolean;
    maxResolutionInMP?: number;
    maxMemoryUsageInMB?: number;
  }
  function decode(data: Uint8Array | ArrayBuffer, options?: JpegJsOptions): { width: number; height: number; data: Uint8Array };
  export default decode;
}
