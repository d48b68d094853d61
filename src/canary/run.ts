import type { DependencyConfig } from '../config/types.js';
import {
  type Classification,
  classifyHttp,
  classifyThrown,
  readErrorBody,
} from '../probes/classify.js';
import type { Scrubber } from '../probes/scrub.js';
import type { ProbeContext } from '../probes/types.js';
import type { CanaryAdapter } from '../vendors/types.js';
import { excerpt, type Judge } from './judge.js';
import type { CanaryAnswer, CanaryRun, CanarySpec } from './types.js';

const isClassification = (v: CanaryAnswer | Classification): v is Classification =>
  'errorClass' in v;

/** What the answer looked like, for people: its text, else the tool calls it made. */
function answerWords(answer: CanaryAnswer): string {
  const text = answer.text.trim() || answer.refusalText?.trim() || '';
  if (text !== '') return text;
  return answer.toolCalls.map((c) => `${c.name}(${c.arguments})`).join(' ');
}

/**
 * Runs one canary through a vendor's adapter: sends its streamed request, classifies an
 * error answer (or reads the vendor's safety refusal in it), reads the stream, and judges
 * the answer. Never throws; every way it can end is an outcome.
 */
export async function runCanary(o: {
  adapter: CanaryAdapter;
  dep: DependencyConfig;
  canary: CanarySpec;
  ctx: ProbeContext;
  scrub: Scrubber;
  judge: Judge;
  /** Epoch ms clock for `at`. */
  clock: () => number;
}): Promise<CanaryRun> {
  const { adapter, dep, canary, ctx, scrub } = o;
  const at = o.clock();
  const start = ctx.now();
  const base = { canary: canary.id, at };
  const transport = (cls: Classification, httpStatus?: number): CanaryRun => ({
    ...base,
    outcome: cls.errorClass === 'circuit_open' ? 'network' : cls.errorClass,
    latencyMs: ctx.now() - start,
    message: scrub(cls.message),
    ...(httpStatus === undefined ? {} : { httpStatus }),
  });
  let res: Awaited<ReturnType<ProbeContext['http']['request']>>;
  try {
    const request = await adapter.request(dep, canary);
    res = await ctx.http.request({ ...request, signal: ctx.signal });
  } catch (err) {
    return transport(classifyThrown(err, scrub, { aborted: ctx.signal.aborted, phase: 'headers' }));
  }
  if (res.status < 200 || res.status > 299) {
    const body = await readErrorBody(res);
    const refusal = adapter.refusalInError?.(res.status, body);
    if (refusal !== undefined) {
      return {
        ...base,
        outcome: 'refused',
        reason: refusal,
        latencyMs: ctx.now() - start,
        httpStatus: res.status,
      };
    }
    const errorType = res.headers['x-amzn-errortype'];
    const cls = classifyHttp(
      { status: res.status, body, ...(errorType ? { errorType } : {}) },
      scrub,
    );
    return transport(cls, res.status);
  }
  let answer: CanaryAnswer | Classification;
  try {
    answer = await adapter.read(res, ctx, scrub, dep);
  } catch (err) {
    answer = classifyThrown(err, scrub, { aborted: ctx.signal.aborted, phase: 'stream end' });
  } finally {
    res.discard();
  }
  if (isClassification(answer)) return transport(answer, res.status);
  const judgement = o.judge.judge(canary, answer);
  const words = answerWords(answer);
  return {
    ...base,
    outcome: judgement.outcome,
    ...(judgement.reason === undefined ? {} : { reason: judgement.reason }),
    ...(words === '' ? {} : { answerExcerpt: scrub(excerpt(words)) }),
    latencyMs: ctx.now() - start,
    httpStatus: res.status,
    ...(answer.tokens ? { tokens: answer.tokens } : {}),
  };
}
