import { Hono } from 'hono';
import { z } from 'zod';
import { VENDORS } from '../config/types.js';
import { BREAKER_STATES, CONSUMER_STATES, DEPENDENCY_STATES } from '../metrics/metrics.js';
import { CHECK_NAMES, ERROR_CLASSES } from '../probes/types.js';
import { COMPONENT_STATUSES, STATUS_INDICATORS } from '../statuspages/types.js';

// Response shapes of the status API, written once: the OpenAPI document is generated from
// them and tests/page/openapi.test.ts validates real responses against them, so the
// description cannot drift from what the routes send.

const when = z.iso.datetime().describe('UTC time, ISO 8601');
const ms = z.number().nullable().describe('milliseconds, one decimal');

/** Error classes (design.md contract). */
export const ErrorClassSchema = z
  .enum(ERROR_CLASSES)
  .describe('Why a probe failed; exactly one per failed check (see the README).');
/** Dependency states (design.md contract). */
export const DependencyStateSchema = z
  .enum(DEPENDENCY_STATES)
  .describe(
    'healthy; degraded (answers, but slow or failing sometimes); down (failing: do not call); unknown (not probed yet, or our own credentials fail).',
  );
/** Consumer states (design.md contract). */
export const ConsumerStateSchema = z
  .enum(CONSUMER_STATES)
  .describe('ok (primary usable); degraded (running on a fallback); down (nothing usable).');
/** Circuit breaker states as the API spells them. */
export const BreakerStateSchema = z.enum(BREAKER_STATES);

/** The error body of every route. */
export const ApiErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ id: 'Error', description: 'Every error answer has this shape.' });

/** One check of a probe round, live or from history. */
export const CheckViewSchema = z
  .object({
    check: z.enum(CHECK_NAMES),
    ok: z.boolean(),
    skipped: z.boolean().describe('Not run on purpose (for example a completion with no key).'),
    latencyMs: ms,
    ttftMs: ms.describe('Time to first token of a streamed completion.'),
    errorClass: ErrorClassSchema.nullable(),
    httpStatus: z.int().nullable(),
    attempts: z.int().min(0).describe('Attempts including bounded retries.'),
    message: z.string().nullable().describe('Human explanation; never contains secrets.'),
  })
  .meta({ id: 'CheckResult' });

/** A dependency's most recent probe round. */
export const LastProbeSchema = z
  .object({
    at: when,
    ok: z.boolean(),
    latencyMs: ms.describe('Sum over the checks of the round.'),
    ttftMs: ms,
    errorClass: ErrorClassSchema.nullable(),
    httpStatus: z.int().nullable(),
    checks: z.array(
      CheckViewSchema.extend({
        tokens: z.object({ input: z.int(), output: z.int() }).nullable(),
      }),
    ),
  })
  .meta({ id: 'LastProbe', description: 'The most recent probe round.' });

/** One rate-limit resource as the vendor reported it. */
export const RateLimitSchema = z
  .object({
    limit: z.number().nullable(),
    remaining: z.number().nullable(),
    resetAt: when.nullable(),
  })
  .meta({ id: 'RateLimit' });

/** The vendor's own status page, as the status-page poller read it. */
export const VendorStatusSchema = z
  .object({
    vendor: z.string().describe('The statusPages entry this dependency follows.'),
    url: z.string().describe('The status document read (summary JSON or feed).'),
    ok: z.boolean().describe('The last poll read the page.'),
    stale: z.boolean().describe('The data is from an earlier poll: the last one failed.'),
    error: z.string().nullable(),
    indicator: z.enum(STATUS_INDICATORS),
    fetchedAt: when.nullable(),
    lastSuccessAt: when.nullable(),
    incidents: z.array(
      z.object({
        name: z.string(),
        status: z.string().describe('investigating, identified, monitoring, ...'),
        impact: z.string().nullable(),
        url: z.string().nullable(),
        startedAt: z.string().nullable(),
      }),
    ),
    maintenance: z.array(
      z.object({
        name: z.string(),
        status: z.string(),
        inProgress: z.boolean(),
        url: z.string().nullable(),
      }),
    ),
    components: z.array(
      z.object({
        name: z.string(),
        status: z.enum(COMPONENT_STATUSES),
        group: z.string().optional(),
      }),
    ),
    agreement: z
      .enum(['agree', 'vendor_only', 'probes_only', 'unknown'])
      .describe(
        "Whether the vendor's word matches our probes: vendor_only = the vendor declares a problem we do not see; probes_only = we see one it does not declare.",
      ),
  })
  .meta({
    id: 'VendorStatus',
    description:
      "What the vendor's own status page says; null when no status page is configured for the dependency.",
  });

/** GET /api/v1/dependencies/{id}, and each entry of the lists. */
export const DependencySchema = z
  .object({
    id: z.string(),
    vendor: z.enum(VENDORS),
    model: z.string().nullable(),
    state: DependencyStateSchema,
    reasons: z.array(z.string()).describe('Why the state is what it is, newest facts first.'),
    credentialProblem: z.enum(['missing', 'rejected']).nullable(),
    stale: z
      .boolean()
      .describe(
        'True until the first probe round after a start: the state is the last one in history (lastProbe.at says how old).',
      ),
    since: when.nullable().describe('When the dependency entered its current state.'),
    breaker: BreakerStateSchema,
    lastProbe: LastProbeSchema.nullable(),
    uptime: z
      .object({
        '1h': z.number().nullable(),
        '24h': z.number().nullable(),
        '7d': z.number().nullable(),
      })
      .describe('Fraction 0..1 of counted probe results that succeeded; null without data.'),
    latencyMs: z.object({ p50: ms, p95: ms }).describe('Over the last hour, successful probes.'),
    rateLimit: z
      .partialRecord(
        z.enum(['requests', 'tokens', 'input_tokens', 'output_tokens']),
        RateLimitSchema,
      )
      .describe('As the vendor last reported in response headers; empty when it does not.'),
    vendorStatus: VendorStatusSchema.nullable(),
    overruns: z.int().min(0).describe('Rounds skipped because the previous one still ran.'),
  })
  .meta({ id: 'Dependency', description: 'One AI vendor dependency as Bellwether sees it now.' });

/** One link of a consumer's dependency chain. */
export const ChainLinkSchema = z
  .object({ dependency: z.string(), state: DependencyStateSchema, usable: z.boolean() })
  .meta({ id: 'ChainLink' });

/** GET /api/v1/consumers/{id}, and each entry of the lists. */
export const ConsumerSchema = z
  .object({
    id: z.string(),
    team: z.string().nullable(),
    uses: z.array(z.string()).describe('Dependencies in order: primary first, then fallbacks.'),
    state: ConsumerStateSchema,
    route: z.string().nullable().describe('The dependency to call now; null when none is usable.'),
    reason: z.string(),
    chain: z.array(ChainLinkSchema),
  })
  .meta({ id: 'Consumer', description: 'A security tool and the dependency it should use.' });

/** GET /api/v1/status. */
export const StatusSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']),
    generatedAt: when,
    vantage: z.string().describe('Where the probes run.'),
    dependencies: z.array(DependencySchema),
    consumers: z.array(ConsumerSchema),
  })
  .meta({ id: 'Status' });

/** GET /api/v1/dependencies. */
export const DependencyListSchema = z
  .object({ dependencies: z.array(DependencySchema) })
  .meta({ id: 'DependencyList' });

/** GET /api/v1/consumers. */
export const ConsumerListSchema = z
  .object({ consumers: z.array(ConsumerSchema) })
  .meta({ id: 'ConsumerList' });

/** One stored probe result. */
export const HistoryEntrySchema = CheckViewSchema.extend({ at: when }).meta({
  id: 'HistoryEntry',
});

/** GET /api/v1/dependencies/{id}/history. */
export const HistorySchema = z
  .object({ dependency: z.string(), since: when, results: z.array(HistoryEntrySchema) })
  .meta({ id: 'History', description: 'Stored probe results, oldest first.' });

/** GET /api/v1/consumers/{id}/route. */
export const RouteSchema = z
  .object({
    consumer: z.string(),
    state: ConsumerStateSchema,
    route: z
      .object({
        dependency: z.string(),
        vendor: z.enum(VENDORS),
        model: z.string().nullable(),
        baseUrl: z.string().nullable().describe('Vendor base URL (never carries a key).'),
        state: DependencyStateSchema,
        fallback: z.boolean().describe('True when this is not the primary.'),
      })
      .nullable()
      .describe('Call this now; null means no dependency is usable: fail fast or queue.'),
    reason: z.string(),
    chain: z.array(ChainLinkSchema),
    generatedAt: when,
  })
  .meta({ id: 'Route', description: 'Which dependency a security tool should call now, and why.' });

const SCHEMAS = [
  ApiErrorSchema,
  CheckViewSchema,
  LastProbeSchema,
  RateLimitSchema,
  VendorStatusSchema,
  DependencySchema,
  ChainLinkSchema,
  ConsumerSchema,
  StatusSchema,
  DependencyListSchema,
  ConsumerListSchema,
  HistoryEntrySchema,
  HistorySchema,
  RouteSchema,
];

type JsonObject = Record<string, unknown>;

/** Drops what standalone JSON Schema needs but components don't, and zod's noisy defaults. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node as JsonObject)) {
    if (k === '$schema' || k === '$id') continue;
    if (k === 'pattern' && (node as JsonObject).format === 'date-time') continue;
    if ((k === 'minimum' || k === 'maximum') && Math.abs(v as number) === Number.MAX_SAFE_INTEGER) {
      continue;
    }
    out[k] = tidy(v);
  }
  return out;
}

/** Component schemas generated from the zod schemas above (input view: fields may be added). */
export function componentSchemas(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const s of SCHEMAS) {
    const id = s.meta()?.id;
    if (typeof id === 'string') registry.add(s, { id });
  }
  const { schemas } = z.toJSONSchema(registry, {
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return tidy(schemas) as Record<string, unknown>;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string, description: string) => ({
  description,
  content: { 'application/json': { schema: ref(id) } },
});
const idParam = (what: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  description: `${what} id, as in the config`,
  schema: { type: 'string' },
});
const notFound = json('Error', 'No such id');

/** The OpenAPI 3.1 description of Bellwether's status API. */
export function openApiDocument(opts: { version?: string } = {}): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bellwether status API',
      version: opts.version ?? 'v1',
      description:
        'Which AI vendors the security tools depend on are usable right now, and which one each tool should call. Read-only; answers come from the latest probe rounds. Fields may be added; existing ones keep their meaning.',
    },
    paths: {
      '/api/v1/status': {
        get: {
          operationId: 'getStatus',
          summary: 'Everything at once: overall status, every dependency and every consumer',
          responses: { 200: json('Status', 'Current status') },
        },
      },
      '/api/v1/dependencies': {
        get: {
          operationId: 'listDependencies',
          summary: 'Every dependency',
          responses: { 200: json('DependencyList', 'All dependencies') },
        },
      },
      '/api/v1/dependencies/{id}': {
        get: {
          operationId: 'getDependency',
          summary:
            'One dependency: state, reasons, breaker, last probe, uptime, latency, rate limits',
          parameters: [idParam('Dependency')],
          responses: { 200: json('Dependency', 'The dependency'), 404: notFound },
        },
      },
      '/api/v1/dependencies/{id}/history': {
        get: {
          operationId: 'getDependencyHistory',
          summary: 'Stored probe results of one dependency, oldest first',
          parameters: [
            idParam('Dependency'),
            {
              name: 'since',
              in: 'query',
              description:
                'ISO 8601 time, epoch milliseconds, or a look-back duration like 6h (default 1h)',
              schema: { type: 'string', examples: ['6h', '2026-11-26T00:00:00Z'] },
            },
            {
              name: 'limit',
              in: 'query',
              description: 'At most this many results (default 1000)',
              schema: { type: 'integer', minimum: 1, maximum: 5000 },
            },
          ],
          responses: {
            200: json('History', 'Probe results'),
            400: json('Error', 'Bad since or limit'),
            404: notFound,
          },
        },
      },
      '/api/v1/consumers': {
        get: {
          operationId: 'listConsumers',
          summary: 'Every consumer (security tool) with its state and route',
          responses: { 200: json('ConsumerList', 'All consumers') },
        },
      },
      '/api/v1/consumers/{id}': {
        get: {
          operationId: 'getConsumer',
          summary: 'One consumer with its state and route',
          parameters: [idParam('Consumer')],
          responses: { 200: json('Consumer', 'The consumer'), 404: notFound },
        },
      },
      '/api/v1/consumers/{id}/route': {
        get: {
          operationId: 'getConsumerRoute',
          summary: 'The dependency a security tool should call now (first usable in its chain)',
          parameters: [idParam('Consumer')],
          responses: { 200: json('Route', 'Where to send requests now'), 404: notFound },
        },
      },
    },
    components: { schemas: componentSchemas() },
  };
}

/** GET /api/v1/openapi.json: the document, built once per router. */
export function openapiRouter(opts: { version?: string } = {}): Hono {
  const app = new Hono();
  const doc = openApiDocument(opts);
  app.get('/', (c) => c.json(doc));
  return app;
}
