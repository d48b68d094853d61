import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The stable JSON error shape every route answers with: `{"error":{"code","message"}}`. */
export interface ApiError {
  error: { code: string; message: string };
}

/** Sends the stable error shape. */
export function apiError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
): Response {
  return c.json<ApiError>({ error: { code, message } }, status);
}
