// The few Orthanc REST calls the PACS link needs, with timeouts, Basic auth and errors that say whether to retry.

export interface OrthancClientOptions {
  url: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

/** A failed Orthanc call. `status` is absent when Orthanc could not be reached at all. */
export class OrthancError extends Error {
  readonly status?: number;
  readonly path: string;
  constructor(path: string, message: string, status?: number) {
    super(message);
    this.name = 'OrthancError';
    this.path = path;
    this.status = status;
  }
  /** 404: the resource is gone (deleted, or a wrong id); retrying will not bring it back. */
  get notFound(): boolean {
    return this.status === 404;
  }
  /** Unreachable, timed out or 5xx: worth retrying. */
  get transient(): boolean {
    return this.status === undefined || this.status >= 500 || this.status === 429;
  }
}

export interface Change {
  seq: number;
  changeType: string;
  resourceType: string;
  id: string;
}

export interface SeriesInfo {
  id: string;
  studyId: string;
  modality: string;
  instanceIds: string[];
}

export interface InstanceInfo {
  id: string;
  instanceNumber?: number;
}

export interface StoredInstance {
  id: string;
  status: string;
  studyId: string;
  seriesId: string;
}

export interface OrthancClient {
  readonly url: string;
  /** The newest change's sequence number (0 when Orthanc has none). */
  lastChangeSeq(): Promise<number>;
  changes(since: number, limit?: number): Promise<{ changes: Change[]; done: boolean; last: number }>;
  series(id: string): Promise<SeriesInfo>;
  /** Instances of a series, in Instance Number order (then by id, so the order is stable). */
  seriesInstances(id: string): Promise<InstanceInfo[]>;
  studySeries(studyId: string): Promise<Array<{ id: string; modality: string }>>;
  instanceFile(id: string): Promise<Uint8Array>;
  /** POST /instances. Storing the same SOP Instance UID again answers AlreadyStored: uploads are idempotent. */
  store(dicom: Uint8Array): Promise<StoredInstance>;
}

type Json = Record<string, unknown>;

export function createOrthancClient(options: OrthancClientOptions): OrthancClient {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const auth = options.username !== undefined ? `Basic ${btoa(`${options.username}:${options.password ?? ''}`)}` : undefined;

  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (auth) headers.set('Authorization', auth);
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const cause = (err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new OrthancError(path, `Orthanc at ${base} did not answer ${init.method ?? 'GET'} ${path} (${cause})`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      const hint = res.status === 401 ? ': check ORTHANC_USERNAME and ORTHANC_PASSWORD' : '';
      throw new OrthancError(path, `Orthanc answered ${res.status} to ${init.method ?? 'GET'} ${path}${hint}`, res.status);
    }
    return res;
  }
  const json = async (path: string, init?: RequestInit): Promise<Json> => (await (await request(path, init)).json()) as Json;
  const tags = (x: unknown): Json => ((x as Json)?.MainDicomTags ?? {}) as Json;

  return {
    url: base,
    async lastChangeSeq() {
      const body = await json('/changes?last');
      return Number(body.Last ?? 0);
    },
    async changes(since, limit = 100) {
      const body = await json(`/changes?since=${since}&limit=${limit}`);
      const changes = ((body.Changes ?? []) as Json[]).map((c) => ({
        seq: Number(c.Seq),
        changeType: String(c.ChangeType),
        resourceType: String(c.ResourceType),
        id: String(c.ID),
      }));
      return { changes, done: Boolean(body.Done), last: Number(body.Last ?? since) };
    },
    async series(id) {
      const body = await json(`/series/${encodeURIComponent(id)}`);
      return { id, studyId: String(body.ParentStudy), modality: String(tags(body).Modality ?? ''), instanceIds: (body.Instances ?? []) as string[] };
    },
    async seriesInstances(id) {
      const body = (await json(`/series/${encodeURIComponent(id)}/instances`)) as unknown as Json[];
      return body
        .map((i) => {
          const n = Number(tags(i).InstanceNumber);
          return { id: String(i.ID), instanceNumber: Number.isFinite(n) && tags(i).InstanceNumber !== undefined ? n : undefined };
        })
        .sort((a, b) => (a.instanceNumber ?? Infinity) - (b.instanceNumber ?? Infinity) || a.id.localeCompare(b.id));
    },
    async studySeries(studyId) {
      const body = (await json(`/studies/${encodeURIComponent(studyId)}/series`)) as unknown as Json[];
      return body.map((s) => ({ id: String(s.ID), modality: String(tags(s).Modality ?? '') }));
    },
    async instanceFile(id) {
      return new Uint8Array(await (await request(`/instances/${encodeURIComponent(id)}/file`)).arrayBuffer());
    },
    async store(dicom) {
      const body = await json('/instances', { method: 'POST', headers: { 'Content-Type': 'application/dicom' }, body: dicom as Uint8Array<ArrayBuffer> });
      return { id: String(body.ID), status: String(body.Status), studyId: String(body.ParentStudy), seriesId: String(body.ParentSeries) };
    },
  };
}
