// Request and response schemas: they validate requests and generate /openapi.json, so the docs cannot drift.
import { z } from '@hono/zod-openapi';

/** For the API description only; every response carries the served model's own notice from its manifest. */
export const NOTICE =
  'Demonstration model trained on synthetic lesions over real anatomy. NOT a medical device and NOT for diagnosis: never use its output for clinical decisions.';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_an_image' }),
      message: z.string().openapi({ example: 'The upload is not a recognisable image or scan. Accepted: JPEG (baseline or progressive, 8-bit), PNG (8- or 16-bit greyscale, RGB, RGBA, palette), ...' }),
    }).passthrough().openapi({ description: 'Some codes add fields: not_brain_mri has `score`, frame_out_of_range `frames`, unsupported_transfer_syntax `transferSyntax` and `supported`, not_mr `modality`.' }),
  })
  .openapi('Error');

export const ViewSchema = z.enum(['overlay', 'heatmap']);

/** Which image of a multi-image upload, and its window: shared by every route that takes a scan. */
export const ScanQuery = {
  frame: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ description: 'DICOM: the frame of a multi-frame or enhanced MR file, 1-based; default the middle frame.', example: 1 }),
  plane: z.enum(['axial', 'coronal', 'sagittal']).optional().openapi({ description: 'NIfTI: the plane to cut; default axial.' }),
  slice: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ description: 'NIfTI: the slice along the plane, 0-based in RAS+ order (axial 0 = most inferior); default the slice through the middle of the head.' }),
  window: z
    .string()
    .regex(/^\s*-?\d+(\.\d+)?\s*,\s*\d+(\.\d+)?\s*$/, 'expected "center,width", e.g. 600,1200')
    .optional()
    .openapi({ description: "DICOM and NIfTI: the VOI window as `center,width` in the scan's values (after rescale), instead of the file's or the automatic one.", example: '600,1200' }),
};

export const ClassifyQuery = z.object({
  ...ScanQuery,
  saliency: ViewSchema.optional().openapi({ description: 'Add saliency PNGs (as data URLs) to the response, all from the one inference.' }),
  class: z
    .string()
    .optional()
    .openapi({ description: 'Labels whose maps to render, comma-separated, or `all`; default the predicted label.', example: 'glioma,meningioma' }),
});

export const SaliencyQuery = z.object({
  ...ScanQuery,
  view: ViewSchema.default('overlay').openapi({ description: '`overlay`: the map blended over the scan; `heatmap`: the colour map alone.' }),
  class: z.string().optional().openapi({ description: 'Label whose map to render; default the predicted label.', example: 'glioma' }),
});

export const InputSchema = z
  .object({
    format: z.string().openapi({ example: 'jpeg' }),
    transferSyntax: z.string().optional(),
    frame: z.number().int().optional(),
    frames: z.number().int().optional(),
    plane: z.enum(['axial', 'coronal', 'sagittal']).optional(),
    slice: z.number().int().optional(),
    slices: z.number().int().optional(),
    window: z.object({ center: z.number(), width: z.number(), source: z.enum(['dicom', 'auto', 'user']) }).optional(),
    reduced: z
      .object({ factor: z.number().int(), width: z.number().int(), height: z.number().int() })
      .optional()
      .openapi({ description: 'A large JPEG decoded at 1/2, 1/4 or 1/8 scale (its size in the file here); `image` and overlays have the decoded size.' }),
  })
  .openapi({ description: 'What was decoded: the format, and for DICOM and NIfTI the transfer syntax, frame or slice, and the window used. Never patient data.' });

const Probabilities = z.record(z.string(), z.number()).openapi({ example: { glioma: 0.91, meningioma: 0.04, normal: 0.02, pituitary: 0.03 } });

export const ClassifyResponse = z
  .object({
    label: z.string().openapi({ example: 'glioma' }),
    confidence: z.number().openapi({ example: 0.91 }),
    uncertain: z.boolean().openapi({ description: 'Refer for review: see `reasons`.' }),
    reasons: z
      .array(z.enum(['low_confidence', 'unfamiliar', 'input_unsure']))
      .openapi({
        description:
          '`low_confidence`: confidence under the model\'s threshold; `unfamiliar`: the scan\'s features lie far from the training data; `input_unsure`: the input check accepted the image but scored it under `gate.uncertain_below`, so it may not be a brain MRI slice.',
      }),
    probabilities: Probabilities,
    familiarity: z
      .object({ score: z.number(), threshold: z.number() })
      .optional()
      .openapi({ description: 'Distance of the scan from the training data (higher: less familiar); over `threshold` marks the result uncertain.' }),
    model: z.object({ name: z.string(), version: z.string(), sha256: z.string() }),
    gate: z
      .object({
        score: z.number(),
        threshold: z.number(),
        uncertain_below: z.number(),
        model: z.object({ name: z.string(), version: z.string(), sha256: z.string() }),
      })
      .nullable()
      .openapi({
        description:
          'The input check that ran first: its probability that this is a brain MRI slice (refused under `threshold`; accepted but marked `input_unsure` under `uncertain_below`), and its model. null when the server runs without it (GATE=off, research use only).',
      }),
    image: z.object({ width: z.number().int(), height: z.number().int() }),
    input: InputSchema,
    timings: z
      .object({
        decode: z.number(),
        gate: z.number().optional(),
        preprocess: z.number(),
        inference: z.number(),
        explain: z.number().optional(),
        encode: z.number().optional(),
        total: z.number(),
      })
      .openapi({ description: 'Milliseconds spent in each stage on the server.' }),
    saliency: z
      .array(
        z.object({
          view: ViewSchema,
          label: z.string(),
          method: z.enum(['cam', 'grad-cam', 'occlusion']).openapi({ description: '`occlusion` for models without a cam output.' }),
          width: z.number().int(),
          height: z.number().int(),
          dataUrl: z.string().openapi({ example: 'data:image/png;base64,iVBORw0KGgo...' }),
        }),
      )
      .optional()
      .openapi({ description: 'One map per requested class, in the order asked.' }),
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
    thresholds: z.object({ uncertain: z.number().optional() }),
    familiarity: z.record(z.string(), z.unknown()).nullable(),
    gate: z
      .object({ name: z.string(), version: z.string(), sha256: z.string(), backend: z.string(), labels: z.array(z.string()), threshold: z.number(), uncertain_below: z.number(), input: z.record(z.string(), z.unknown()), metrics: z.record(z.string(), z.unknown()).nullable(), notice: z.string() })
      .nullable()
      .openapi({ description: 'The input gate that runs before the classifier; null when switched off (GATE=off).' }),
    metrics: z.record(z.string(), z.unknown()).nullable(),
    training: z.record(z.string(), z.unknown()).nullable(),
    card: z.unknown().optional(),
  })
  .openapi('Model');

/** Documentation-only body schema: a plain OpenAPI object, so the generic validator does not consume the body. */
export const IMAGE_BODY = {
  required: true,
  description:
    'The scan: multipart field `file`, or the raw bytes (any Content-Type of an image, application/dicom or application/octet-stream): the content decides the format, not the name. JPEG, PNG, DICOM (MR; see `frame`, `window`) and NIfTI (.nii, .nii.gz; see `plane`, `slice`) everywhere; WebP, TIFF and GIF on Node.',
  content: {
    'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } },
    'image/jpeg': { schema: { type: 'string', format: 'binary' } },
    'image/png': { schema: { type: 'string', format: 'binary' } },
    'application/dicom': { schema: { type: 'string', format: 'binary' } },
    'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
  },
} as const;

export function errorResponses(statuses: number[]): Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }> {
  const what: Record<number, string> = {
    400: 'Not an image, empty, corrupt or truncated (also DICOM and NIfTI), too small, or the multipart field is missing',
    401: 'Missing or wrong API key (only when the server has one)',
    413: 'Body, pixel count or decoded size over the limit (checked on the header, before decoding)',
    415: 'Unsupported content or image type (`unsupported_type`), or a DICOM transfer syntax not decoded here (`unsupported_transfer_syntax`: `transferSyntax`, `supported`)',
    422: 'Bad query parameter (view, class, frame, plane, slice, window); `frame_out_of_range` (`frame`, `frames`), `slice_out_of_range` (`slice`, `slices`, `plane`), `not_mr` (`modality`): a DICOM whose Modality is not MR; `not_brain_mri` (`score`): the input gate says this is not a brain MRI slice',
    503: 'The model is not loaded yet',
  };
  return Object.fromEntries(statuses.map((s) => [s, { description: what[s], content: { 'application/json': { schema: ErrorSchema } } }]));
}
