// The model manifest schema (written by model/ export, read by every runtime) and its checks against the .onnx.
import { z } from 'zod';

const metricsSchema = z
  .object({
    accuracy: z.number(),
    precision_weighted: z.number(),
    recall_weighted: z.number(),
    f1_weighted: z.number(),
    mcc: z.number(),
    roc_auc_macro_ovr: z.number(),
    ece: z.number(),
    pointing_game: z.number().nullable(),
    test_images: z.number().int(),
  })
  .passthrough();

export const manifestSchema = z.object({
  schema: z.literal('brain-mri-manifest/1'),
  name: z.string().min(1),
  version: z.string().min(1),
  description: z.string(),
  /** Shown beside every result: the shipped model is a demonstration, not a diagnostic device. */
  notice: z.string().min(1),
  model: z.object({
    /** Path of the .onnx relative to the manifest. */
    file: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256 of the .onnx file'),
    bytes: z.number().int().positive(),
    opset: z.number().int().min(17),
    architecture: z.string(),
    parameters: z.number().int().positive(),
  }),
  /** In output order. */
  labels: z.array(z.string().min(1)).min(2),
  input: z.object({
    name: z.string().min(1),
    /** Batch dimension is null (dynamic). */
    shape: z.tuple([z.null(), z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]),
    layout: z.enum(['NCHW', 'NHWC']),
    dtype: z.literal('float32'),
    channels: z.union([z.literal(1), z.literal(3)]),
  }),
  preprocessing: z.object({
    /** Stretch to exactly width x height with an antialiased bilinear (triangle) filter, half-pixel centres. */
    resize: z.object({
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      filter: z.literal('bilinear-antialias'),
    }),
    /** grayscale: Rec.601 luma (0.299 R + 0.587 G + 0.114 B); alpha is ignored. */
    color: z.enum(['grayscale', 'rgb']),
    /** Applied to 0..255 values (16-bit input is divided by 257 first): x = (v * scale - mean[c]) / std[c]. */
    scale: z.number().positive(),
    mean: z.array(z.number()).min(1),
    std: z.array(z.number().positive()).min(1),
  }),
  outputs: z
    .object({
      logits: z.string().min(1).optional(),
      probabilities: z.string().min(1).optional(),
      /** N x labels x h x w class-activation maps, one per class, computed in the graph (no gradients needed). */
      cam: z.string().min(1).optional(),
      /** N x D penultimate features. */
      features: z.string().min(1).optional(),
      /** N familiarity scores (distance of the features from the training data's; higher is less familiar). */
      familiarity: z.string().min(1).optional(),
    })
    .refine((o) => o.logits !== undefined || o.probabilities !== undefined, {
      message: 'outputs needs "logits" or "probabilities"',
    }),
  cam: z
    .object({
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      method: z.enum(['cam', 'grad-cam']),
    })
    .optional(),
  /** `classifier` (the default) or `gate`: a brain_mri / other model that runs before the classifier. */
  task: z.enum(['classifier', 'gate']).default('classifier'),
  thresholds: z.object({
    /**
     * Classifier: confidence under this shows "uncertain, refer for review". Gate: an accepted input scoring under this
     * is marked uncertain (reason input_unsure); at or below `accept`, no such band.
     */
    uncertain: z.number().min(0).max(1).optional(),
    /** Gate: the probability of the first label (brain_mri) at or above which the input is accepted. */
    accept: z.number().min(0).max(1).optional(),
  }),
  /** Classifier: the score on outputs.familiarity above which a scan is unfamiliar (uncertain, reason "unfamiliar"). */
  familiarity: z
    .object({
      method: z.string().min(1),
      threshold: z.number(),
      calibration: z.string().optional(),
    })
    .passthrough()
    .optional(),
  training: z
    .object({
      data: z.string(),
      seed: z.number().int(),
      epochs: z.number().int(),
      images: z.record(z.string(), z.number().int()),
      seconds: z.number(),
    })
    .passthrough(),
  metrics: metricsSchema.optional(),
  card: z.string().optional(),
});

export type Manifest = z.infer<typeof manifestSchema>;
