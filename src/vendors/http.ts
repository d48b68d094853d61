import { expectedStatus, httpUrl, oneOf, regex } from '../config/fields.js';
import type { DependencyConfig } from '../config/types.js';
import {
  type Classification,
  classifyHttp,
  failed,
  readErrorBody,
  responseFacts,
  unsupportedCheck,
} from '../probes/classify.js';
import { isResult, readBody, send } from '../probes/exchange.js';
import type { Scrubber } from '../probes/scrub.js';
import type { CheckName, CheckResult, Probe, ProbeContext } from '../probes/types.js';
import { defineVendor, type VendorResolveInput } from './types.js';

/** The http prober's own keys, resolved (method and expected status defaulted). */
interface HttpOptions {
  url?: string;
  method?: 'GET' | 'POST' | 'HEAD';
  expectedStatus?: number[];
  bodyMatch?: string;
}

const HTTP_CHECKS: readonly CheckName[] = ['http'];

function describeExpected(expected: readonly number[] | undefined): string {
  return expected ? expected.join(', ') : '2xx';
}

/**
 * Generic URL probe (`vendor: http`): requests `url` (or `baseUrl`) with `method`
 * and `headers`; the status must be in `expectedStatus` (any 2xx when unset) and,
 * when `bodyMatch` is set, the body (read up to 1 MiB) must match that regular
 * expression. A wrong error status is classified like any vendor answer; an unexpected
 * 1xx–3xx or a body mismatch is bad_response. Throws on an invalid `bodyMatch`.
 */
export function createHttpProbe(dep: DependencyConfig, scrub: Scrubber): Probe {
  const o = dep.options as HttpOptions;
  const url = o.url ?? dep.baseUrl;
  const method = o.method ?? 'GET';
  const expected =
    o.expectedStatus && o.expectedStatus.length > 0 ? [...o.expectedStatus] : undefined;
  let bodyMatch: RegExp | undefined;
  if (o.bodyMatch !== undefined) {
    try {
      bodyMatch = new RegExp(o.bodyMatch);
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

function resolveHttp({ raw }: VendorResolveInput) {
  const given = raw as HttpOptions;
  const options: HttpOptions = {
    url: given.url,
    method: given.method ?? 'GET',
    expectedStatus: given.expectedStatus ?? [200],
  };
  if (given.bodyMatch !== undefined) options.bodyMatch = given.bodyMatch;
  return { baseUrl: given.url, options: options as Record<string, unknown> };
}

/** A plain URL: status (and optionally body) checked, no model, no key, no tokens. */
export const http = defineVendor({
  id: 'http',
  displayName: 'HTTP endpoint',
  llm: false,
  checks: HTTP_CHECKS,
  keyless: true,
  configKeys: {
    url: httpUrl().optional(),
    method: oneOf(['GET', 'POST', 'HEAD']).optional(),
    expectedStatus: expectedStatus().optional(),
    bodyMatch: regex().optional(),
  },
  rejectsKeys: {
    model: 'vendor http has no model',
    apiKey: 'vendor http sends no key; put credentials in headers',
    baseUrl: 'vendor http uses url',
    maxTokens: 'vendor http sends no completion',
    degradedTtft: 'vendor http streams no tokens',
    reasoning: 'vendor http asks no model',
  },
  keyHints: { url: 'did you mean "baseUrl"?' },
  checkConfig(dep) {
    if (dep.url !== undefined) return [];
    return [
      { message: 'missing required key "url" (vendor http needs a URL to probe)', at: 'parent' },
    ];
  },
  resolve: resolveHttp,
  createProbe: createHttpProbe,
});
