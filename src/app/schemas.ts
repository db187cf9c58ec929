// Request and response schemas: they validate requests and generate /openapi.json, so the docs cannot drift.
import { z } from '@hono/zod-openapi';

export const NOTICE =
  'Demonstration model trained on synthetic lesions over real anatomy. NOT a medical device and NOT for diagnosis: never use its output for clinical decisions.';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_an_image' }),
      message: z.string().openapi({ example: 'the bytes are not an image (no known file signature); accepted: image/jpeg, image/png' }),
    }),
  })
  .openapi('Error');

export const ViewSchema = z.enum(['overlay', 'heatmap']);

export const ClassifyQuery = z.object({
  saliency: ViewSchema.optional().openapi({ description: 'Add a saliency PNG (as a data URL) to the response.' }),
  class: z.string().optional().openapi({ description: 'Label whose saliency to render; default the predicted label.', example: 'glioma' }),
});

export const SaliencyQuery = z.object({
  view: ViewSchema.default('overlay').openapi({ description: '`overlay`: the map blended over the scan; `heatmap`: the colour map alone.' }),
  class: z.string().optional().openapi({ description: 'Label whose map to render; default the predicted label.', example: 'glioma' }),
});

const Probabilities = z.record(z.string(), z.number()).openapi({ example: { glioma: 0.91, meningioma: 0.04, normal: 0.02, pituitary: 0.03 } });

export const ClassifyResponse = z
  .object({
    label: z.string().openapi({ example: 'glioma' }),
    confidence: z.number().openapi({ example: 0.91 }),
    uncertain: z.boolean().openapi({ description: 'Confidence under the model\'s threshold: refer for review.' }),
    probabilities: Probabilities,
    model: z.object({ name: z.string(), version: z.string(), sha256: z.string() }),
    image: z.object({ width: z.number().int(), height: z.number().int() }),
    timings: z
      .object({ decode: z.number(), preprocess: z.number(), inference: z.number(), saliency: z.number().optional(), total: z.number() })
      .openapi({ description: 'Milliseconds spent in each stage on the server.' }),
    saliency: z
      .object({
        view: ViewSchema,
        label: z.string(),
        method: z.enum(['cam', 'grad-cam', 'occlusion']).openapi({ description: '`occlusion` for models without a cam output.' }),
        width: z.number().int(),
        height: z.number().int(),
        dataUrl: z.string().openapi({ example: 'data:image/png;base64,iVBORw0KGgo...' }),
      })
      .optional(),
    notice: z.string(),
  })
  .openapi('Classification');

export const ModelResponse = z
  .object({
    name: z.string(),
    version: z.string(),
    description: z.string(),
    notice: z.string(),
    sha256: z.string(),
    backend: z.string().openapi({ example: 'onnxruntime-node/cpu' }),
    labels: z.array(z.string()),
    input: z.record(z.string(), z.unknown()),
    preprocessing: z.record(z.string(), z.unknown()),
    saliency: z.object({ method: z.enum(['cam', 'grad-cam', 'occlusion']), views: z.array(ViewSchema) }),
    thresholds: z.object({ uncertain: z.number() }),
    metrics: z.record(z.string(), z.unknown()).nullable(),
    training: z.record(z.string(), z.unknown()).nullable(),
    card: z.unknown().optional(),
  })
  .openapi('Model');

/** Documentation-only body schema: a plain OpenAPI object, so the generic validator does not consume the body. */
export const IMAGE_BODY = {
  required: true,
  description: 'The scan: multipart field `file`, or the raw bytes with an image Content-Type. JPEG and PNG everywhere; WebP, TIFF and GIF on Node.',
  content: {
    'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } },
    'image/jpeg': { schema: { type: 'string', format: 'binary' } },
    'image/png': { schema: { type: 'string', format: 'binary' } },
    'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
  },
} as const;

export function errorResponses(statuses: number[]): Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }> {
  const what: Record<number, string> = {
    400: 'Not an image, empty, corrupt, too small, or the multipart field is missing',
    401: 'Missing or wrong API key (only when the server has one)',
    413: 'Body or pixel count over the limit',
    415: 'Unsupported content or image type',
    422: 'Bad query parameter (view, class)',
    503: 'The model is not loaded yet',
  };
  return Object.fromEntries(statuses.map((s) => [s, { description: what[s], content: { 'application/json': { schema: ErrorSchema } } }]));
}
