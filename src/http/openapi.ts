import { Hono } from 'hono';
import { z } from 'zod';
import { CANARY_OUTCOMES, type CanaryOutcome } from '../canary/types.js';
import { BREAKER_STATES, CONSUMER_STATES, DEPENDENCY_STATES } from '../evaluate/states.js';
import { MODEL_CHANGE_KINDS, type ModelChangeKind } from '../models/changes.js';
import { CHECK_NAMES, ERROR_CLASSES } from '../probes/types.js';
import { COMPONENT_STATUSES, STATUS_INDICATORS } from '../statuspages/types.js';
import { VENDORS } from '../vendors/registry.js';
import { HISTORY_EXAMPLES, HISTORY_SCHEMAS } from './openapi-history.js';

// Response shapes of the status API, written once: the OpenAPI document is generated from
// them and tests/page/openapi.test.ts validates real responses against them, so the
// description cannot drift from what the routes send.

const when = z.iso.datetime().describe('UTC time, ISO 8601');
const ms = z.number().nullable().describe('milliseconds, one decimal');

/** Error classes (docs/contracts.md). */
export const ErrorClassSchema = z
  .enum(ERROR_CLASSES)
  .describe('Why a probe failed; exactly one per failed check (see the README).');
/** Dependency states (docs/contracts.md). */
export const DependencyStateSchema = z
  .enum(DEPENDENCY_STATES)
  .describe(
    'healthy; degraded (answers, but slow or failing sometimes); down (failing: do not call); unknown (not probed yet, or our own credentials fail).',
  );
/** Consumer states (docs/contracts.md). */
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
    requestId: z
      .string()
      .nullable()
      .describe("A failed check's vendor request id, to quote to the vendor's support."),
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
        tokens: z
          .object({
            input: z.int(),
            output: z.int(),
            reasoning: z
              .int()
              .optional()
              .describe(
                'The part of output the vendor says was spent reasoning, where it counts it.',
              ),
          })
          .nullable(),
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
/** A security canary on one dependency: its last run and pass ratio. */
export const CanarySchema = z
  .object({
    id: z.string(),
    outcome: z
      .enum(CANARY_OUTCOMES as [CanaryOutcome, ...CanaryOutcome[]])
      .nullable()
      .describe(
        'pass, wrong_answer, refused, or a transport error class; null before the first run.',
      ),
    reason: z
      .string()
      .nullable()
      .describe(
        'The signal that decided it: content_filter, stop_reason=refusal, text, no tool call, …',
      ),
    ok: z.boolean().nullable(),
    failing: z
      .boolean()
      .describe(
        'The last two runs failed: the dependency is degraded, and unusable for consumers that require it.',
      ),
    at: when.nullable(),
    answerExcerpt: z.string().nullable().describe('A short, scrubbed excerpt of the answer.'),
    passRatio: z
      .object({ runs: z.int().min(0), passed: z.int().min(0) })
      .describe('Over the runs kept (the last 20).'),
  })
  .meta({ id: 'Canary' });

const TallySchema = z.object({ runs: z.int().min(0), passed: z.int().min(0) });

/** One silent model change (src/models/changes.ts): an event, never an outage. */
export const ModelChangeSchema = z
  .object({
    at: when.describe('Start of the probe round that saw it.'),
    kind: z
      .enum(MODEL_CHANGE_KINDS as unknown as [ModelChangeKind, ...ModelChangeKind[]])
      .describe(
        'served_model: the vendor names another model; fingerprint: a system_fingerprint not seen for this model in the last 24 h; embedding: the fixed text embeds differently.',
      ),
    from: z
      .string()
      .describe('The value before: a model, a fingerprint, or "<model>, <n> dimensions".'),
    to: z.string(),
    similarity: z
      .number()
      .min(-1)
      .max(1)
      .nullable()
      .describe(
        'embedding: cosine similarity to the baseline; null for other kinds and for a change of dimensions.',
      ),
    canaries: z
      .object({ before: TallySchema, after: TallySchema })
      .nullable()
      .describe(
        "The dependency's canary runs and passes in the 24 h before and after it (each window ends at the neighbouring change); null without canaries.",
      ),
  })
  .meta({ id: 'ModelChange' });

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
    canaries: z.array(CanarySchema).describe('Security canaries this dependency runs.'),
    servedModel: z
      .string()
      .nullable()
      .describe(
        'The model the vendor last said served the completion check (OpenAI/Azure `model`, Anthropic message `model`, Gemini `modelVersion`, Ollama `model`); null when it does not say.',
      ),
    systemFingerprint: z
      .string()
      .nullable()
      .describe('OpenAI-protocol `system_fingerprint` of the last answer that carried one.'),
    modelChanges: z
      .array(ModelChangeSchema)
      .describe('Silent model changes seen, newest first (at most 20).'),
  })
  .meta({ id: 'Dependency', description: 'One AI vendor dependency as Bellwether sees it now.' });

/** One link of a consumer's dependency chain. */
export const ChainLinkSchema = z
  .object({
    dependency: z.string(),
    state: DependencyStateSchema,
    usable: z.boolean(),
    failingCanaries: z
      .array(z.string())
      .optional()
      .describe('Canaries the consumer requires that fail on this dependency.'),
  })
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
    requires: z
      .array(z.string())
      .describe('Canaries a dependency must pass to be usable for this tool.'),
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
  CanarySchema,
  ModelChangeSchema,
  DependencySchema,
  ChainLinkSchema,
  ConsumerSchema,
  StatusSchema,
  DependencyListSchema,
  ConsumerListSchema,
  HistoryEntrySchema,
  HistorySchema,
  RouteSchema,
  ...HISTORY_SCHEMAS,
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

// One example per route, typed by the schemas (tsc) and parsed by them in the tests.
const AT = '2026-11-26T09:30:00.000Z';
const exampleCheck = {
  check: 'completion',
  ok: true,
  skipped: false,
  latencyMs: 412.3,
  ttftMs: 198.4,
  errorClass: null,
  httpStatus: 200,
  attempts: 1,
  message: null,
  requestId: 'req_5f1b7c2e9a4d4c0b8e3f6a2d1c9b7e40',
} satisfies z.input<typeof CheckViewSchema>;
const exampleDependency = {
  id: 'openai-chat',
  vendor: 'openai',
  model: 'gpt-4o-mini',
  state: 'healthy',
  reasons: [],
  credentialProblem: null,
  since: '2026-11-26T07:02:11.000Z',
  breaker: 'closed',
  lastProbe: {
    at: AT,
    ok: true,
    latencyMs: 512.9,
    ttftMs: 198.4,
    errorClass: null,
    httpStatus: 200,
    checks: [
      { ...exampleCheck, check: 'models', latencyMs: 100.6, ttftMs: null, tokens: null },
      { ...exampleCheck, tokens: { input: 8, output: 1 } },
    ],
  },
  uptime: { '1h': 1, '24h': 0.9986, '7d': 0.9991 },
  latencyMs: { p50: 455.1, p95: 1210.7 },
  rateLimit: { requests: { limit: 500, remaining: 499, resetAt: '2026-11-26T09:30:00.120Z' } },
  vendorStatus: null,
  overruns: 0,
  stale: false,
  canaries: [
    {
      id: 'phishing-verdict',
      outcome: 'pass',
      reason: null,
      ok: true,
      failing: false,
      at: AT,
      answerExcerpt: 'PHISHING',
      passRatio: { runs: 20, passed: 20 },
    },
  ],
  servedModel: 'gpt-4o-mini-2024-07-18',
  systemFingerprint: 'fp_0ba0d124f1',
  modelChanges: [
    {
      at: '2026-11-25T14:00:00.000Z',
      kind: 'served_model',
      from: 'gpt-4o-mini-2024-05-13',
      to: 'gpt-4o-mini-2024-07-18',
      similarity: null,
      canaries: { before: { runs: 288, passed: 288 }, after: { runs: 230, passed: 221 } },
    },
  ],
} satisfies z.input<typeof DependencySchema>;
const exampleConsumer = {
  id: 'phishing-triage',
  team: 'secops',
  uses: ['openai-chat', 'anthropic-chat'],
  state: 'ok',
  route: 'openai-chat',
  reason: 'primary openai-chat is healthy',
  chain: [
    { dependency: 'openai-chat', state: 'healthy', usable: true },
    { dependency: 'anthropic-chat', state: 'degraded', usable: true },
  ],
  requires: ['phishing-verdict'],
} satisfies z.input<typeof ConsumerSchema>;
const EXAMPLES = {
  Status: {
    status: 'ok',
    generatedAt: AT,
    vantage: 'eu-west-1',
    dependencies: [exampleDependency],
    consumers: [exampleConsumer],
  } satisfies z.input<typeof StatusSchema>,
  DependencyList: { dependencies: [exampleDependency] } satisfies z.input<
    typeof DependencyListSchema
  >,
  Dependency: exampleDependency,
  History: {
    dependency: 'openai-chat',
    since: '2026-11-26T03:30:00.000Z',
    results: [
      { ...exampleCheck, at: AT },
      {
        ...exampleCheck,
        at: '2026-11-26T09:29:30.000Z',
        ok: false,
        latencyMs: 10000.2,
        ttftMs: null,
        errorClass: 'timeout',
        httpStatus: null,
        attempts: 2,
        message: 'no first token within 10s',
      },
    ],
  } satisfies z.input<typeof HistorySchema>,
  ConsumerList: { consumers: [exampleConsumer] } satisfies z.input<typeof ConsumerListSchema>,
  Consumer: exampleConsumer,
  Route: {
    consumer: 'phishing-triage',
    state: 'ok',
    route: {
      dependency: 'openai-chat',
      vendor: 'openai',
      model: 'gpt-4o-mini',
      baseUrl: 'https://api.openai.com/v1',
      state: 'healthy',
      fallback: false,
    },
    reason: 'primary openai-chat is healthy',
    chain: exampleConsumer.chain,
    generatedAt: AT,
  } satisfies z.input<typeof RouteSchema>,
} as const;

const error = (code: string, message: string) =>
  ({ error: { code, message } }) satisfies z.input<typeof ApiErrorSchema>;

/** Every example of the document by schema name, for the tests. */
export const OPENAPI_EXAMPLES: Readonly<Record<string, unknown>> = EXAMPLES;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string, description: string, example: unknown) => ({
  description,
  content: { 'application/json': { schema: ref(id), example } },
});
const ok = (id: keyof typeof EXAMPLES, description: string) => json(id, description, EXAMPLES[id]);
const failure = (description: string, code: string, message: string) =>
  json('Error', description, error(code, message));
const idParam = (what: string, example: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  description: `${what} id, as in the config`,
  schema: { type: 'string' },
  example,
});
const notFound = (what: string) => failure('No such id', 'not_found', `no ${what} with that id`);

/** 401 as the access control answers it (src/http/access.ts), with its challenge. */
const unauthorized = {
  ...failure(
    'Credentials are configured (BELLWETHER_API_TOKENS or BELLWETHER_BASIC_AUTH) and the request has none, or wrong ones',
    'unauthorized',
    'credentials are required for this endpoint',
  ),
  headers: {
    'WWW-Authenticate': {
      description:
        'The scheme to use: `Bearer realm="bellwether"`, or `Basic ...` when basic auth is on',
      schema: { type: 'string' },
    },
  },
};

/** What every read route may answer besides its own responses. */
const common = { 401: unauthorized };

// Incidents and availability reports (src/http/incidents.ts, reports.ts).
function historyPaths(): JsonObject {
  const since = {
    name: 'since',
    in: 'query',
    description: 'ISO 8601 time, epoch milliseconds, or a look-back duration (default 30d)',
    schema: { type: 'string' },
    example: '7d',
  };
  const limit = {
    name: 'limit',
    in: 'query',
    description: 'At most this many incidents (default 100)',
    schema: { type: 'integer', minimum: 1, maximum: 1000 },
    example: 20,
  };
  const incidents = json('IncidentList', 'Incidents, newest first', HISTORY_EXAMPLES.IncidentList);
  const badQuery = failure(
    'Bad since or limit',
    'bad_request',
    'limit must be an integer from 1 to 1000',
  );
  return {
    '/api/v1/incidents': {
      get: {
        operationId: 'listIncidents',
        summary: 'Incidents of every dependency active since `since`, newest first',
        parameters: [since, limit],
        responses: { 200: incidents, 400: badQuery, ...common },
      },
    },
    '/api/v1/dependencies/{id}/incidents': {
      get: {
        operationId: 'listDependencyIncidents',
        summary: 'Incidents of one dependency active since `since`, newest first',
        parameters: [idParam('Dependency', 'anthropic-chat'), since, limit],
        responses: {
          200: {
            ...incidents,
            content: {
              'application/json': {
                schema: ref('IncidentList'),
                example: { dependency: 'anthropic-chat', ...HISTORY_EXAMPLES.IncidentList },
              },
            },
          },
          400: badQuery,
          404: notFound('dependency'),
          ...common,
        },
      },
    },
    '/api/v1/reports/availability': {
      get: {
        operationId: 'getAvailabilityReport',
        summary: 'Monthly availability per dependency and vendor, compared with the objective',
        parameters: [
          {
            name: 'month',
            in: 'query',
            required: true,
            description: 'UTC month, YYYY-MM (this month or an earlier one)',
            schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' },
            example: '2026-11',
          },
          {
            name: 'format',
            in: 'query',
            description: 'json (default), csv (RFC 4180) or markdown',
            schema: { type: 'string', enum: ['json', 'csv', 'markdown'] },
            example: 'csv',
          },
        ],
        responses: {
          200: {
            description: 'The report',
            content: {
              'application/json': {
                schema: ref('AvailabilityReport'),
                example: HISTORY_EXAMPLES.AvailabilityReport,
              },
              'text/csv': { schema: { type: 'string' } },
              'text/markdown': { schema: { type: 'string' } },
            },
          },
          400: failure(
            'Bad month or format',
            'bad_request',
            'month must be YYYY-MM, like 2026-11, got "2026-13"',
          ),
          ...common,
        },
      },
    },
  };
}

/** The OpenAPI 3.1 description of Bellwether's status API. */
export function openApiDocument(opts: { version?: string } = {}): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bellwether status API',
      version: opts.version ?? 'v1',
      description:
        'Which AI vendors the security tools depend on are usable right now, and which one each tool should call. Read-only; answers come from the latest probe rounds. Fields may be added; existing ones keep their meaning. A method a path does not serve is answered 405 with an `Allow` header.',
    },
    // Open unless the operator sets credentials; then a bearer token or basic auth.
    security: [{}, { bearerAuth: [] }, { basicAuth: [] }],
    paths: {
      '/api/v1/status': {
        get: {
          operationId: 'getStatus',
          summary: 'Everything at once: overall status, every dependency and every consumer',
          responses: { 200: ok('Status', 'Current status'), ...common },
        },
      },
      '/api/v1/dependencies': {
        get: {
          operationId: 'listDependencies',
          summary: 'Every dependency',
          responses: { 200: ok('DependencyList', 'All dependencies'), ...common },
        },
      },
      '/api/v1/dependencies/{id}': {
        get: {
          operationId: 'getDependency',
          summary:
            'One dependency: state, reasons, breaker, last probe, uptime, latency, rate limits',
          parameters: [idParam('Dependency', 'openai-chat')],
          responses: {
            200: ok('Dependency', 'The dependency'),
            404: notFound('dependency'),
            ...common,
          },
        },
      },
      '/api/v1/dependencies/{id}/history': {
        get: {
          operationId: 'getDependencyHistory',
          summary: 'Stored probe results of one dependency, oldest first',
          parameters: [
            idParam('Dependency', 'openai-chat'),
            {
              name: 'since',
              in: 'query',
              description:
                'ISO 8601 time, epoch milliseconds, or a look-back duration like 6h (default 1h)',
              schema: { type: 'string', examples: ['6h', '2026-11-26T00:00:00Z'] },
              example: '6h',
            },
            {
              name: 'limit',
              in: 'query',
              description: 'At most this many results (default 1000)',
              schema: { type: 'integer', minimum: 1, maximum: 5000 },
              example: 500,
            },
          ],
          responses: {
            200: ok('History', 'Probe results'),
            400: failure(
              'Bad since or limit',
              'bad_request',
              'limit must be an integer from 1 to 5000, got "0"',
            ),
            404: notFound('dependency'),
            ...common,
          },
        },
      },
      '/api/v1/consumers': {
        get: {
          operationId: 'listConsumers',
          summary: 'Every consumer (security tool) with its state and route',
          responses: { 200: ok('ConsumerList', 'All consumers'), ...common },
        },
      },
      '/api/v1/consumers/{id}': {
        get: {
          operationId: 'getConsumer',
          summary: 'One consumer with its state and route',
          parameters: [idParam('Consumer', 'phishing-triage')],
          responses: {
            200: ok('Consumer', 'The consumer'),
            404: notFound('consumer'),
            ...common,
          },
        },
      },
      '/api/v1/consumers/{id}/route': {
        get: {
          operationId: 'getConsumerRoute',
          summary: 'The dependency a security tool should call now (first usable in its chain)',
          parameters: [idParam('Consumer', 'phishing-triage')],
          responses: {
            200: ok('Route', 'Where to send requests now'),
            404: notFound('consumer'),
            ...common,
          },
        },
      },
      '/-/reload': {
        post: {
          operationId: 'reloadConfig',
          summary: 'Re-read the config file (as SIGHUP does); a bad config is refused and kept out',
          // Its own token, not the read credentials.
          security: [{ reloadToken: [] }],
          responses: {
            200: {
              description: 'The new config runs',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['ok', 'dependencies', 'restartNeeded'],
                    properties: {
                      ok: { const: true },
                      dependencies: { type: 'integer', minimum: 0 },
                      restartNeeded: {
                        type: 'array',
                        items: { type: 'string' },
                        description: 'Changed keys that take effect only on restart',
                      },
                    },
                  },
                  example: { ok: true, dependencies: 3, restartNeeded: [] },
                },
              },
            },
            400: {
              description: 'The new config has errors; the running one is kept',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['error'],
                    properties: {
                      error: {
                        type: 'object',
                        required: ['code', 'message', 'details'],
                        properties: {
                          code: { const: 'invalid_config' },
                          message: { type: 'string' },
                          details: { type: 'array', items: { type: 'string' } },
                        },
                      },
                    },
                  },
                  example: {
                    error: {
                      code: 'invalid_config',
                      message: 'the new config was refused; the running config is kept',
                      details: [
                        'config/bellwether.yaml:7:15: dependencies[0].interval: expected a duration like 30s, 2m or 1h, got "30 seconds"',
                      ],
                    },
                  },
                },
              },
            },
            401: {
              ...failure(
                'No bearer token, or not the reload token',
                'unauthorized',
                'a valid bearer token is required',
              ),
              headers: { 'WWW-Authenticate': { schema: { type: 'string', const: 'Bearer' } } },
            },
            403: failure(
              'Reload over HTTP is off: no BELLWETHER_RELOAD_TOKEN is set',
              'reload_disabled',
              'reload over HTTP is off: set BELLWETHER_RELOAD_TOKEN, or send SIGHUP',
            ),
          },
        },
      },
      ...historyPaths(),
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'One of the comma-separated tokens in BELLWETHER_API_TOKENS',
        },
        basicAuth: {
          type: 'http',
          scheme: 'basic',
          description: 'The user:password in BELLWETHER_BASIC_AUTH',
        },
        reloadToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'BELLWETHER_RELOAD_TOKEN; POST /-/reload only',
        },
      },
    },
  };
}

/** GET /api/v1/openapi.json: the document, built once per router. */
export function openapiRouter(opts: { version?: string } = {}): Hono {
  const app = new Hono();
  const doc = openApiDocument(opts);
  app.get('/', (c) => c.json(doc));
  return app;
}
