// The decoder registry: sniff the content, pick the FormatDecoder for it, and say exactly what this runtime accepts.
import type { DecodedInput, DecodeOptions, FormatDecoder, InputDecoder } from '../decoder.js';
import { ImageInputError } from '../errors.js';
import { greyWhenEqual } from '../image.js';
import type { WasmModuleSource } from '../wasm.js';
import { createDicomCodecs, type DicomCodecModules } from './dicom-codecs.js';
import { createDicomDecoder } from './dicom-decoder.js';
import { createJpegDecoder } from './jpeg-decoder.js';
import { createJpegTurbo } from './jpeg-turbo.js';
import { createNiftiDecoder } from './nifti-decoder.js';
import { pngDecoder } from './png-decoder.js';
import { FORMAT_NAMES, sniffFormat } from './sniff.js';

/**
 * `decoders` are the core's (the same on every runtime); `extras` those one runtime adds (sharp's on Node). Messages
 * name the core's formats first, so every runtime words its errors the same way up to the extras' sentence.
 */
export function createInputDecoder(decoders: readonly FormatDecoder[], extras: readonly FormatDecoder[] = []): InputDecoder {
  const all = [...decoders, ...extras];
  const byFormat = new Map(all.map((d) => [d.format, d]));
  const accepted =
    `Accepted: ${decoders.map((d) => d.description).join(', ')}.` + (extras.length ? ` This server also accepts ${extras.map((d) => d.description).join(', ')}.` : '');
  return {
    formats: all.map((d) => d.format),
    accepted,
    async warmup() {
      await Promise.all(all.map((d) => d.warmup?.()));
    },
    async decode(bytes: Uint8Array, options: DecodeOptions): Promise<DecodedInput> {
      if (bytes.length === 0) throw new ImageInputError('empty_body', `The upload is empty. ${accepted}`);
      const format = sniffFormat(bytes);
      if (format === undefined) throw new ImageInputError('not_an_image', `The upload is not a recognisable image or scan. ${accepted}`);
      const decoder = byFormat.get(format);
      if (!decoder) throw new ImageInputError('unsupported_type', `${FORMAT_NAMES[format]} is not supported here. ${accepted}`);
      try {
        const decoded = await decoder.decode(bytes, options);
        return { ...decoded, image: greyWhenEqual(decoded.image) };
      } catch (error) {
        if (error instanceof ImageInputError) throw error;
        throw new ImageInputError('corrupt_image', `The ${FORMAT_NAMES[format]} file could not be decoded (${(error as Error).message}). ${accepted}`);
      }
    },
  };
}

export interface CoreDecoderModules extends DicomCodecModules {
  /** libjpeg-turbo (node_modules/@cwasm/jpeg-turbo/jpeg-turbo.wasm): JPEG uploads and 8-bit JPEG inside DICOM. */
  jpeg: WasmModuleSource;
}

/**
 * The formats the core decodes the same way on every runtime, in the order they are listed to users. The DICOM codecs
 * (OpenJPEG, CharLS, JPEG lossless, 12-bit JPEG) load on the first file that needs them.
 */
export function coreDecoders(modules: CoreDecoderModules): FormatDecoder[] {
  const turbo = createJpegTurbo(modules.jpeg);
  const codecs = createDicomCodecs(modules, turbo);
  return [createJpegDecoder(turbo), pngDecoder, createDicomDecoder(codecs), createNiftiDecoder()];
}
