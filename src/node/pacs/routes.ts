// HTTP routes of the PACS link: trigger a study by hand, and see how its series went. Mounted into the main app.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { errorResponse } from '../../app/errors.js';
import { ErrorSchema, NOTICE } from '../../app/schemas.js';
import { OrthancError } from './orthanc-client.js';
import type { PacsWatcher } from './watcher.js';

/** Orthanc's resource ids: SHA-1 of the DICOM identifiers, written as five dash-separated groups of eight hex digits. */
const ORTHANC_ID = /^[0-9a-f]{8}(-[0-9a-f]{8}){4}$/;

const StudyParams = z.object({
  orthancId: z
    .string()
    .regex(ORTHANC_ID, "an Orthanc study id: five groups of 8 hex digits joined by '-' (see Orthanc Explorer or GET /studies)")
    .openapi({ param: { name: 'orthancId', in: 'path' }, example: '27f7126f-4f66c1bd-d44bb0dc-d5a6ad4a-38ba6d8f' }),
});

const SeriesStatus = z.enum(['queued', 'done', 'skipped', 'failed']);

const TriggerResponse = z
  .object({
    study: z.string(),
    series: z.array(
      z.object({
        id: z.string().openapi({ description: 'Orthanc series id' }),
        modality: z.string(),
        status: SeriesStatus.openapi({ description: '`queued` for MR series (processed in the background); `skipped` for other modalities.' }),
      }),
    ),
    notice: z.string(),
  })
  .openapi('PacsTrigger');

const StatusResponse = z
  .object({
    study: z.string(),
    series: z.array(
      z.object({
        id: z.string(),
        status: SeriesStatus,
        attempts: z.number().int(),
        trigger: z.string().openapi({ example: 'changes' }),
        slices: z.object({
          stored: z.number().int().openapi({ description: 'SR and overlay stored in Orthanc' }),
          refused: z.number().int().openapi({ description: 'Not classified (not MR, unsupported pixels, ...): recorded, not retried' }),
          pending: z.number().int().openapi({ description: 'Results built and kept locally, waiting to be stored' }),
        }),
        lastError: z.string().nullable(),
      }),
    ),
  })
  .openapi('PacsStudyStatus');

const errors = (what: Record<number, string>) =>
  Object.fromEntries(Object.entries(what).map(([s, description]) => [s, { description, content: { 'application/json': { schema: ErrorSchema } } }]));

function pacsFailure(c: Context, err: unknown): Response {
  if (err instanceof OrthancError && err.notFound) return errorResponse(c, 404, 'study_not_found', 'Orthanc has no study with this id; ids are listed by GET /studies on Orthanc');
  if (err instanceof OrthancError) return errorResponse(c, 503, 'pacs_unavailable', `the PACS did not answer as expected (${err.status ?? 'unreachable'}); retry later`);
  throw err;
}

/** Adds POST /v1/studies/{orthancId}/classify and GET /v1/studies/{orthancId}/results to the app (auth and logging included). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function registerPacsRoutes(app: OpenAPIHono<any>, deps: { watcher: PacsWatcher }): void {
  const { watcher } = deps;
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/studies/{orthancId}/classify',
      security: [{ bearer: [] }],
      summary: 'Classify an Orthanc study now (results are written back to it as DICOM)',
      description: `Queues every MR series of the study. In the background each slice is classified and an SR (TID 1500) and an overlay Secondary Capture are stored into the same study. Slices already done are not redone; a failed series is retried. Poll GET /v1/studies/{orthancId}/results. ${NOTICE}`,
      request: { params: StudyParams },
      responses: {
        202: { description: 'Queued', content: { 'application/json': { schema: TriggerResponse } } },
        ...errors({ 401: 'Missing or wrong API key', 404: 'Orthanc has no such study', 422: 'Not an Orthanc study id', 503: 'Orthanc did not answer' }),
      },
    }),
    (async (c: Context) => {
      const { orthancId } = (c.req as unknown as { valid(t: 'param'): { orthancId: string } }).valid('param');
      try {
        const t = await watcher.triggerStudy(orthancId);
        return c.json({ ...t, notice: NOTICE }, 202);
      } catch (err) {
        return pacsFailure(c, err);
      }
    }) as never,
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/studies/{orthancId}/results',
      security: [{ bearer: [] }],
      summary: "Progress of a study's series on the PACS link",
      description: 'Only what this service knows (series it has seen); no patient data.',
      request: { params: StudyParams },
      responses: {
        200: { description: 'Series of the study this service has queued', content: { 'application/json': { schema: StatusResponse } } },
        ...errors({ 401: 'Missing or wrong API key', 422: 'Not an Orthanc study id' }),
      },
    }),
    (async (c: Context) => {
      const { orthancId } = (c.req as unknown as { valid(t: 'param'): { orthancId: string } }).valid('param');
      const series = watcher.studyStatus(orthancId).map((j) => ({
        id: j.id,
        status: j.status,
        attempts: j.attempts,
        trigger: j.trigger,
        slices: { stored: j.counts.stored, refused: j.counts.refused, pending: j.counts.built },
        lastError: j.lastError,
      }));
      return c.json({ study: orthancId, series }, 200);
    }) as never,
  );
}
