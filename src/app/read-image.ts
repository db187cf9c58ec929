// Gets the image bytes out of a request: multipart field `file` or a raw body with an image content type.
import { ImageInputError } from '../core/errors.js';

const RAW_TYPES = /^(image\/[a-z0-9.+-]+|application\/octet-stream|application\/dicom)$/;

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

export interface ReadOptions {
  maxBytes: number;
  /** Counts the bytes against the service's upload budget as they arrive (throws when it is spent). */
  reserve?: (bytes: number) => void;
}

/** Reads at most `maxBytes`; the size check happens while streaming, so a lying Content-Length cannot exhaust memory. */
async function readLimited(req: Request, { maxBytes, reserve }: ReadOptions): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(declared, maxBytes);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge(total, maxBytes);
      reserve?.(value.byteLength);
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function tooLarge(bytes: number, maxBytes: number): ImageInputError {
  const mb = (n: number): string => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${n} bytes`);
  return new ImageInputError('body_too_large', `the request body is over ${mb(maxBytes)}${Number.isFinite(bytes) ? ` (at least ${mb(bytes)})` : ''}; send a smaller image`);
}

export async function readImage(req: Request, options: ReadOptions): Promise<{ bytes: Uint8Array; mediaType: string }> {
  const type = mediaType(req.headers.get('content-type') ?? undefined);
  if (type === 'multipart/form-data') {
    const body = await readLimited(req, options);
    let form: FormData;
    try {
      form = await new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': req.headers.get('content-type')! } }).formData();
    } catch {
      throw new ImageInputError('missing_file', 'the multipart body could not be parsed; send the image as multipart field "file"');
    }
    const file = form.get('file');
    if (file === null) {
      const names = [...new Set([...form.keys()])];
      throw new ImageInputError('missing_file', `multipart field "file" is missing${names.length ? ` (got: ${names.map((n) => `"${n}"`).join(', ')})` : ''}; send the image as field "file"`);
    }
    if (typeof file === 'string') throw new ImageInputError('missing_file', 'multipart field "file" must be a file upload, not a text value');
    return { bytes: new Uint8Array(await file.arrayBuffer()), mediaType: mediaType(file.type) };
  }
  if (type !== '' && !RAW_TYPES.test(type)) {
    throw new ImageInputError(
      'unsupported_type',
      `Content-Type "${type}" is not accepted; send the image as multipart/form-data field "file", or as the raw body with Content-Type image/jpeg, image/png (or application/octet-stream)`,
    );
  }
  return { bytes: await readLimited(req, options), mediaType: type };
}
