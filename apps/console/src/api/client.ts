import { API_PREFIX, ApiError } from '@driftlock/protocol';
import type { z } from 'zod';

/** A failed API call, carrying the server's `ApiError` body when it sent one. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError | null,
    readonly route: string,
  ) {
    super(body?.message ?? `${route}: HTTP ${status}`);
    this.name = 'ApiRequestError';
  }

  /** Field-level messages (`email: must be an email`) when the server reported validation issues. */
  get details(): string[] {
    return (this.body?.issues ?? []).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

interface RequestOptions<T> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  body?: unknown;
  /** The response schema: responses are validated at the edge, so a server drift shows up at once. */
  schema?: z.ZodType<T>;
}

/** Calls the driftlock REST API (same origin, session cookie). */
export async function api<T = void>(path: string, options: RequestOptions<T> = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const route = `${method} ${API_PREFIX}${path}`;
  const response = await fetch(withQuery(`${API_PREFIX}${path}`, options.query), {
    method,
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json',
      ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  const json: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const parsed = ApiError.safeParse(json);
    throw new ApiRequestError(response.status, parsed.success ? parsed.data : null, route);
  }
  if (!options.schema) return json as T;
  const parsed = options.schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${route}: unexpected response (${issue?.path.join('.') || 'body'}: ${issue?.message})`,
    );
  }
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiRequestError) {
    const details = error.details;
    return details.length ? `${error.message}: ${details.join('; ')}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
