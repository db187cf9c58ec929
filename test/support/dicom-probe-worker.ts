// A test-only Worker (never deployed): runs the core's DICOM decoder in workerd with the same bundled codec modules as
// edge/worker.ts and returns the numbers before windowing, so conformance tests compare workerd's pixels with pydicom's.
import { createDicomCodecs } from '../../src/core/decoders/dicom-codecs.js';
import { decodeDicomValues } from '../../src/core/decoders/dicom-decoder.js';
import { createJpegTurbo } from '../../src/core/decoders/jpeg-turbo.js';
import { ImageInputError } from '../../src/core/errors.js';
import { bundledCodecs } from '../../edge/bundled-model.js';

const codecs = createDicomCodecs(bundledCodecs, createJpegTurbo(bundledCodecs.jpeg));

export default {
  async fetch(request: Request): Promise<Response> {
    const frame = Number(new URL(request.url).searchParams.get('frame') ?? '1');
    try {
      const got = await decodeDicomValues(new Uint8Array(await request.arrayBuffer()), { maxPixels: 40_000_000, frame }, codecs);
      const values = Float64Array.from(got.values as ArrayLike<number>);
      const meta = { width: got.width, height: got.height, channels: got.channels, frames: got.frames, transferSyntax: got.transferSyntax };
      return new Response(values.buffer, { headers: { 'x-meta': JSON.stringify(meta) } });
    } catch (error) {
      if (error instanceof ImageInputError) return Response.json({ code: error.code, message: error.message }, { status: 422 });
      return Response.json({ crash: (error as Error).message }, { status: 500 });
    }
  },
};
