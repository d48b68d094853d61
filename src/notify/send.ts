import pRetry, { AbortError } from 'p-retry';
import type { NotifyRequest, Send } from './types.js';

/**
 * The production sender: global fetch (notifications are few; the probes' cheaper transport
 * buys nothing here). Redirects are not followed, so a secret-bearing request never goes to
 * a host it was not configured for; the body is discarded unread (it may echo secrets).
 */
export const fetchSend: Send = async (request, { signal }) => {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal,
    redirect: 'manual',
  });
  await response.body?.cancel().catch(() => undefined);
  return { status: response.status };
};

/** Why one delivery attempt failed: a status, a timeout, or a network error (by code only). */
export class DeliveryError extends Error {
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(message: string, opts: { status?: number; retryable: boolean }) {
    super(message);
    this.name = 'DeliveryError';
    this.status = opts.status;
    this.retryable = opts.retryable;
  }
}

/** Receivers ask to be retried with these (PagerDuty and Opsgenie document 429 and 5xx). */
const retryableStatus = (status: number): boolean =>
  status === 408 || status === 429 || status >= 500;

// Network errors are named by their code, never their message: messages may carry the URL.
function networkCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; name?: unknown };
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)
    ? code
    : typeof e?.name === 'string'
      ? e.name
      : 'Error';
}

/** Bounded retry with backoff, and a timeout per attempt. */
export interface RetryOptions {
  /** Attempts after the first (default 2: three in all). */
  retries: number;
  /** Delay before the first retry (default 1s), doubling up to maxTimeoutMs. */
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 2, minTimeoutMs: 1000, maxTimeoutMs: 10_000 };

/**
 * One attempt, bounded by `timeoutMs` even when `send` ignores its signal: the attempt
 * rejects at the deadline and the late answer, if any, is ignored.
 */
async function attempt(
  send: Send,
  request: NotifyRequest,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<number> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onStop = () => controller.abort();
  stop.addEventListener('abort', onStop, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(new Error('aborted')), {
      once: true,
    });
  });
  // Through a promise, so a sender that throws synchronously fails the attempt like any other.
  const sending = Promise.resolve().then(() => send(request, { signal: controller.signal }));
  sending.catch(() => undefined);
  aborted.catch(() => undefined);
  try {
    const { status } = await Promise.race([sending, aborted]);
    return status;
  } catch (err) {
    if (timedOut) {
      throw new DeliveryError(`timeout after ${timeoutMs} ms`, { retryable: true });
    }
    if (stop.aborted) throw new AbortError('stopped');
    throw new DeliveryError(`network error (${networkCode(err)})`, { retryable: true });
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
}

/** The outcome of a delivery, with the attempts it took and, when it failed, why. */
export type DeliveryOutcome =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; reason: string; stopped: boolean };

/**
 * Sends with p-retry: retries timeouts, network errors, 408, 429 and 5xx; gives up at once
 * on other statuses (a 400 or 401 will not get better by asking again).
 */
export async function deliver(
  send: Send,
  request: NotifyRequest,
  opts: { timeoutMs: number; retry: RetryOptions; stop: AbortSignal },
): Promise<DeliveryOutcome> {
  let attempts = 0;
  try {
    await pRetry(
      async () => {
        attempts++;
        const status = await attempt(send, request, opts.timeoutMs, opts.stop);
        if (status >= 200 && status < 300) return;
        const err = new DeliveryError(`HTTP ${status}`, {
          status,
          retryable: retryableStatus(status),
        });
        throw err.retryable ? err : new AbortError(err);
      },
      {
        retries: opts.retry.retries,
        minTimeout: opts.retry.minTimeoutMs,
        maxTimeout: opts.retry.maxTimeoutMs,
        factor: 2,
        randomize: true,
        signal: opts.stop,
        unref: true,
      },
    );
    return { ok: true, attempts };
  } catch (err) {
    const reason =
      err instanceof DeliveryError ? err.message : opts.stop.aborted ? 'stopped' : 'failed';
    return { ok: false, attempts, reason, stopped: opts.stop.aborted };
  }
}
