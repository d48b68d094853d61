import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { CheckName, CheckResult, Probe } from '../src/probes/types.js';
import type { HttpClient } from '../src/transport/http-client.js';
import { createNodeHttpClient } from '../src/transport/node-http-client.js';
import { createProbe } from '../src/vendors/registry.js';
import { testDependency } from '../tests/support/dependency.js';
import type { Blackbox } from './lib/blackbox.js';
import { type ErrorSummary, round, summarise } from './lib/stats.js';
import type { VendorProcess } from './lib/vendor.js';

/** How many sequential samples to take at each injected delay. */
export interface DelayPlan {
  delayMs: number;
  samples: number;
}

/** Latency errors (measured − injected) per delay; a `ttft` series for completions. */
export interface ErrorSeries {
  delayMs: number;
  errors: number[];
  ttftErrors?: number[];
}

/** Arguments of the accuracy worker tasks. */
export interface AccuracyArgs {
  vendorUrl: string;
  plan: DelayPlan[];
  keepAlive: boolean;
}

// Enough exchanges for the JIT to settle: the first hundred are slower in a fresh process.
const WARMUP = 100;
const BENCH_KEY = 'sk-bench-0123456789abcdef';

async function setFault(vendorUrl: string, route: string, fault: unknown): Promise<void> {
  const res = await fetch(`${vendorUrl}/__fault`, {
    method: 'POST',
    body: JSON.stringify({ route, fault }),
  });
  await res.arrayBuffer();
}

/** One probe attempt exactly as the runner makes it: its own abort timer around probe.run. */
export async function attempt(
  probe: Probe,
  check: CheckName,
  client: HttpClient,
  timeoutMs = 5000,
): Promise<CheckResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await probe.run(check, {
      http: client,
      signal: controller.signal,
      now: () => performance.now(),
    });
  } finally {
    clearTimeout(timer);
  }
}

const COMPLETION_BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'ping' }],
  max_completion_tokens: 1,
  stream: true,
  stream_options: { include_usage: true },
});

/**
 * A bare node:http exchange: no probe, no classification. Resolves at the response headers
 * (what the http probe times when it has no bodyMatch), at the first content chunk and at
 * the end of the body.
 */
function rawExchange(
  agent: http.Agent,
  url: string,
  completion: boolean,
): Promise<{ headersMs: number; ttftMs: number; totalMs: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = http.request(url, {
      agent,
      method: completion ? 'POST' : 'GET',
      headers: completion
        ? { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' }
        : {},
    });
    req.on('response', (res) => {
      const headersMs = performance.now() - start;
      let ttftMs = Number.NaN;
      res.on('data', (chunk: Buffer) => {
        if (Number.isNaN(ttftMs) && chunk.includes('"content":"pong"')) {
          ttftMs = performance.now() - start;
        }
      });
      res.on('end', () => resolve({ headersMs, ttftMs, totalMs: performance.now() - start }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(completion ? COMPLETION_BODY : undefined);
  });
}

/** Bellwether's series and the raw client's, taken alternately on the same machine state. */
export interface PairSeries {
  bellwether: ErrorSeries[];
  raw: ErrorSeries[];
}

/**
 * Worker: Bellwether's probe and a bare node:http client on the same route, sample by
 * sample in alternation (which goes first alternates too), each with its own agent. `http`
 * is Bellwether's `http` probe on GET /health (headersDelayMs); `completion` is the OpenAI
 * streamed completion with the first token held back (firstTokenDelayMs).
 */
export async function pairTask(
  a: AccuracyArgs & { kind: 'http' | 'completion' },
): Promise<PairSeries> {
  const completion = a.kind === 'completion';
  const dep = completion
    ? testDependency({
        id: 'bench-openai',
        vendor: 'openai',
        baseUrl: `${a.vendorUrl}/v1`,
        apiKey: BENCH_KEY,
        model: 'gpt-4o-mini',
        checks: ['completion'],
        timeoutMs: 5000,
      })
    : testDependency({
        id: 'bench-http',
        vendor: 'http',
        baseUrl: a.vendorUrl,
        url: `${a.vendorUrl}/health`,
        checks: ['http'],
        timeoutMs: 5000,
      });
  const check: CheckName = completion ? 'completion' : 'http';
  const route = completion ? 'chat' : 'health';
  const rawUrl = completion ? `${a.vendorUrl}/v1/chat/completions` : `${a.vendorUrl}/health`;
  const probe = createProbe(dep, (s) => s);
  const client = createNodeHttpClient({ keepAlive: a.keepAlive });
  const agent = new http.Agent({ keepAlive: a.keepAlive });

  const bellwetherSample = async (d: number, into: ErrorSeries): Promise<void> => {
    const r = await attempt(probe, check, client);
    if (!r.ok || (completion && r.ttftMs === undefined)) {
      throw new Error(`${check} probe failed: ${r.errorClass} ${r.message}`);
    }
    into.errors.push(r.latencyMs - d);
    if (completion) into.ttftErrors?.push((r.ttftMs as number) - d);
  };
  const rawSample = async (d: number, into: ErrorSeries): Promise<void> => {
    const r = await rawExchange(agent, rawUrl, completion);
    into.errors.push((completion ? r.totalMs : r.headersMs) - d);
    if (completion) into.ttftErrors?.push(r.ttftMs - d);
  };

  const out: PairSeries = { bellwether: [], raw: [] };
  try {
    await setFault(a.vendorUrl, route, null);
    const scratch = (): ErrorSeries => ({ delayMs: 0, errors: [], ttftErrors: [] });
    for (let i = 0; i < WARMUP; i++) {
      await bellwetherSample(0, scratch());
      await rawSample(0, scratch());
    }
    for (const { delayMs, samples } of a.plan) {
      const fault = completion ? { firstTokenDelayMs: delayMs } : { headersDelayMs: delayMs };
      await setFault(a.vendorUrl, route, delayMs > 0 ? fault : null);
      const bw: ErrorSeries = completion
        ? { delayMs, errors: [], ttftErrors: [] }
        : { delayMs, errors: [] };
      const raw: ErrorSeries = completion
        ? { delayMs, errors: [], ttftErrors: [] }
        : { delayMs, errors: [] };
      for (let i = 0; i < samples; i++) {
        if (i % 2 === 0) {
          await bellwetherSample(delayMs, bw);
          await rawSample(delayMs, raw);
        } else {
          await rawSample(delayMs, raw);
          await bellwetherSample(delayMs, bw);
        }
      }
      out.bellwether.push(bw);
      out.raw.push(raw);
    }
  } finally {
    await setFault(a.vendorUrl, route, null);
    client.close();
    agent.destroy();
  }
  return out;
}

/** Worker: how late setTimeout(D) fires in an otherwise idle Node process (the fake vendor's own slop). */
export async function timerSlopTask(a: { plan: DelayPlan[] }): Promise<ErrorSeries[]> {
  const out: ErrorSeries[] = [];
  for (const { delayMs, samples } of a.plan) {
    const errors: number[] = [];
    for (let i = 0; i < samples; i++) {
      // The fake vendor does not sleep at all for 0 ms.
      if (delayMs === 0) {
        errors.push(0);
        continue;
      }
      const t0 = performance.now();
      await delay(delayMs);
      errors.push(performance.now() - t0 - delayMs);
    }
    out.push({ delayMs, errors });
  }
  return out;
}

/** Parent side: blackbox_exporter's http_2xx against the same /health route. */
export async function blackboxSeries(
  bb: Blackbox,
  vendor: VendorProcess,
  plan: DelayPlan[],
): Promise<{ duration: ErrorSeries[]; http: ErrorSeries[] }> {
  const target = `${vendor.url}/health`;
  const duration: ErrorSeries[] = [];
  const httpPhases: ErrorSeries[] = [];
  await vendor.setFault('health', null);
  for (let i = 0; i < WARMUP; i++) await bb.probe(target);
  try {
    for (const { delayMs, samples } of plan) {
      await vendor.setFault('health', delayMs > 0 ? { headersDelayMs: delayMs } : null);
      const d: number[] = [];
      const h: number[] = [];
      for (let i = 0; i < samples; i++) {
        const p = await bb.probe(target);
        if (!p.success) throw new Error('blackbox probe failed');
        d.push(p.durationMs - delayMs);
        h.push(p.httpMs - delayMs);
      }
      duration.push({ delayMs, errors: d });
      httpPhases.push({ delayMs, errors: h });
    }
  } finally {
    await vendor.setFault('health', null);
  }
  return { duration, http: httpPhases };
}

/** One row of the accuracy table. */
export interface AccuracyRow {
  tool: string;
  /** What is measured, e.g. 'headers', 'total', 'ttft', 'probe_duration_seconds'. */
  measure: string;
  keepAlive: boolean;
  delayMs: number;
  error: ErrorSummary;
  /** Against the raw node:http client on the same route and connection mode: mean and p99 differences. */
  vsRaw?: { meanMs: number; p99Ms: number };
}

/** Turns series into rows, with differences against a baseline series when given. */
export function rows(
  tool: string,
  measure: string,
  keepAlive: boolean,
  series: ErrorSeries[],
  pick: (s: ErrorSeries) => number[] = (s) => s.errors,
  baseline?: { series: ErrorSeries[]; pick?: (s: ErrorSeries) => number[] },
): AccuracyRow[] {
  return series.map((s) => {
    const error = summarise(pick(s));
    const base = baseline?.series.find((b) => b.delayMs === s.delayMs);
    const baseSummary = base ? summarise((baseline?.pick ?? ((b) => b.errors))(base)) : undefined;
    return {
      tool,
      measure,
      keepAlive,
      delayMs: s.delayMs,
      error,
      ...(baseSummary
        ? {
            vsRaw: {
              meanMs: round(error.meanMs - baseSummary.meanMs, 3),
              p99Ms: round(error.p99Ms - baseSummary.p99Ms, 3),
            },
          }
        : {}),
    };
  });
}
