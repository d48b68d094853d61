import type { DependencyConfig } from '../config/types.js';
import {
  type Classification,
  classifyHttp,
  failed,
  readErrorBody,
  responseFacts,
  unsupportedCheck,
} from './classify.js';
import { isResult, readBody, send } from './exchange.js';
import type { Scrubber } from './scrub.js';
import type { CheckName, CheckResult, Probe, ProbeContext } from './types.js';

function describeExpected(expected: readonly number[] | undefined): string {
  return expected ? expected.join(', ') : '2xx';
}

/**
 * Generic URL probe (`vendor: http`): requests `dep.url` (or `baseUrl`) with `dep.method`
 * and `dep.headers`; the status must be in `dep.expectedStatus` (any 2xx when unset) and,
 * when `dep.bodyMatch` is set, the body (read up to 1 MiB) must match that regular
 * expression. A wrong error status is classified like any vendor answer; an unexpected
 * 1xx–3xx or a body mismatch is bad_response. Throws on an invalid `bodyMatch`.
 */
export function createHttpProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  const url = dep.url ?? dep.baseUrl;
  const method = dep.method ?? 'GET';
  const expected =
    dep.expectedStatus && dep.expectedStatus.length > 0 ? [...dep.expectedStatus] : undefined;
  let bodyMatch: RegExp | undefined;
  if (dep.bodyMatch !== undefined) {
    try {
      bodyMatch = new RegExp(dep.bodyMatch);
    } catch (err) {
      throw new Error(
        `dependency ${dep.id}: bodyMatch is not a valid regular expression: ${(err as Error).message}`,
      );
    }
  }
  const checks = dep.checks.filter((c) => c === 'http');

  async function run(ctx: ProbeContext): Promise<CheckResult> {
    const sent = await send('http', { method, url, headers: { ...dep.headers } }, ctx, scrub);
    if (isResult(sent)) return sent;
    const { res, start } = sent;

    const statusOk = expected
      ? expected.includes(res.status)
      : res.status >= 200 && res.status <= 299;
    if (!statusOk) {
      const body = await readErrorBody(res);
      const facts = responseFacts(res, Date.now());
      const latencyMs = ctx.now() - start;
      const cls =
        res.status < 400
          ? {
              errorClass: 'bad_response' as const,
              message: `unexpected HTTP ${res.status} (expected ${describeExpected(expected)})`,
            }
          : classifyHttp({ status: res.status, body }, scrub);
      return failed('http', latencyMs, cls, facts);
    }

    if (bodyMatch === undefined || method === 'HEAD') {
      res.discard();
      return {
        check: 'http',
        ok: true,
        latencyMs: ctx.now() - start,
        ...responseFacts(res, Date.now()),
      };
    }
    const read = await readBody('http', sent, ctx, scrub);
    if (isResult(read)) return read;
    const { text, latencyMs, facts } = read;
    if (!bodyMatch.test(text)) {
      const cls: Classification = {
        errorClass: 'bad_response',
        message: scrub(`HTTP ${res.status} but the body does not match /${bodyMatch.source}/`),
      };
      return failed('http', latencyMs, cls, facts);
    }
    return { check: 'http', ok: true, latencyMs, ...facts };
  }

  return {
    vendor: 'http',
    checks: checks.length > 0 ? checks : ['http'],
    run(check: CheckName, ctx: ProbeContext): Promise<CheckResult> {
      return check === 'http' ? run(ctx) : Promise.resolve(unsupportedCheck(check, 'http'));
    },
  };
}
