import { z } from 'zod';
import { ERROR_CLASSES } from '../probes/types.js';
import { INCIDENT_STATES } from '../store/incidents.js';

// Response shapes of the incident and report routes, in the same style as openapi.ts (which
// lists them among its components); tests/http/incidents.test.ts validates real responses.

const when = z.iso.datetime().describe('UTC time, ISO 8601');
const IncidentStateSchema = z.enum(INCIDENT_STATES);
// Not openapi.ts's ErrorClassSchema: that module imports this one.
const ErrorClassSchema = z.enum(ERROR_CLASSES);

/** One incident as GET /api/v1/incidents shows it. */
export const IncidentSchema = z
  .object({
    id: z.int(),
    dependency: z.string(),
    vendor: z.string(),
    vantage: z.string().describe('Where the probes that saw it ran.'),
    startedAt: when,
    endedAt: when.nullable().describe('null while it lasts'),
    ongoing: z.boolean(),
    durationMs: z.number().describe('Until the end, or until now while it lasts.'),
    worst: IncidentStateSchema,
    errorClasses: z.array(ErrorClassSchema).describe('Of the failed checks, first seen first.'),
    cause: z.string().describe("The evaluation's reasons when it opened or became its worst."),
    vendorIncident: z
      .object({ name: z.string(), url: z.string().nullable() })
      .nullable()
      .describe("The vendor's own incident, when its status page declared one meanwhile."),
  })
  .meta({
    id: 'Incident',
    description:
      'Consecutive time a dependency was degraded or down; trouble again within 5 minutes of the end is the same incident.',
  });

/** GET /api/v1/incidents and /api/v1/dependencies/{id}/incidents. */
export const IncidentListSchema = z
  .object({
    dependency: z.string().optional().describe('Only on the per-dependency route.'),
    since: when,
    incidents: z.array(IncidentSchema),
  })
  .meta({ id: 'IncidentList', description: 'Incidents active at or after `since`, newest first.' });

/** One dependency or vendor line of the availability report. */
export const AvailabilityLineSchema = z
  .object({
    id: z.string().describe('Dependency id, or the vendor id in `vendors`.'),
    vendor: z.string(),
    checks: z.int().describe('Counted probe results (skipped, circuit_open and auth are not).'),
    passed: z.int(),
    uptime: z.number().nullable().describe('passed / checks; null with nothing counted.'),
    incidents: z.int(),
    minutesDown: z.int().describe('For a vendor: minutes any of its dependencies was down.'),
    minutesDegraded: z.int(),
    worst: IncidentStateSchema.nullable(),
    objective: z.number().describe("A vendor's is the strictest of its dependencies'."),
    meetsObjective: z.boolean().nullable(),
  })
  .meta({ id: 'AvailabilityLine' });

/** GET /api/v1/reports/availability. */
export const AvailabilityReportSchema = z
  .object({
    month: z.string().describe('YYYY-MM (UTC)'),
    from: when,
    to: when.describe('The end of the month, or now while it runs.'),
    complete: z.boolean(),
    vantage: z.string(),
    dependencies: z.array(AvailabilityLineSchema),
    vendors: z.array(AvailabilityLineSchema),
  })
  .meta({
    id: 'AvailabilityReport',
    description: 'Monthly availability per dependency and vendor.',
  });

/** The component schemas above, for openapi.ts. */
export const HISTORY_SCHEMAS = [
  IncidentSchema,
  IncidentListSchema,
  AvailabilityLineSchema,
  AvailabilityReportSchema,
];

const exampleIncident = {
  id: 42,
  dependency: 'anthropic-chat',
  vendor: 'anthropic',
  vantage: 'eu-west-1',
  startedAt: '2026-11-20T14:02:31.000Z',
  endedAt: '2026-11-20T14:47:02.000Z',
  ongoing: false,
  durationMs: 2_671_000,
  worst: 'down',
  errorClasses: ['overloaded', 'timeout'],
  cause: 'circuit breaker open; last failure: completion check: overloaded (HTTP 529)',
  vendorIncident: {
    name: 'Elevated errors on Claude Haiku',
    url: 'https://status.claude.com/incidents/abc123',
  },
} satisfies z.input<typeof IncidentSchema>;

// The example month has one dependency for its vendor, so both report lines carry its figures.
const exampleLine = {
  vendor: 'anthropic',
  checks: 172_800,
  passed: 172_620,
  uptime: 0.998958,
  incidents: 1,
  minutesDown: 45,
  minutesDegraded: 0,
  worst: 'down',
  objective: 0.999,
  meetsObjective: false,
} satisfies Omit<z.input<typeof AvailabilityLineSchema>, 'id'>;

/** Examples of the incident and report answers, for the OpenAPI document. */
export const HISTORY_EXAMPLES = {
  IncidentList: {
    since: '2026-11-01T00:00:00.000Z',
    incidents: [exampleIncident],
  } satisfies z.input<typeof IncidentListSchema>,
  AvailabilityReport: {
    month: '2026-11',
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    complete: true,
    vantage: 'eu-west-1',
    dependencies: [{ id: 'anthropic-chat', ...exampleLine }],
    vendors: [{ id: 'anthropic', ...exampleLine }],
  } satisfies z.input<typeof AvailabilityReportSchema>,
} as const;
