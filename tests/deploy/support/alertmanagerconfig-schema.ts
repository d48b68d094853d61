/**
 * The part of the Prometheus Operator's `AlertmanagerConfig` (monitoring.coreos.com/v1alpha1)
 * schema our resource uses, written here from the CRD's field definitions (types, required
 * fields, enums and patterns of `spec.route`, `spec.receivers[].{pagerduty,opsgenie,slack}
 * Configs` and `spec.inhibitRules`). Stricter than the CRD in one way: unknown fields are
 * rejected (the API server would prune them silently, so a misspelt field would vanish).
 */

const string = { type: 'string' } as const;
const strings = { type: 'array', items: string } as const;
const closed = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

// The Alertmanager duration syntax as the CRD spells it (`0`, or units from y down to ms).
const DURATION =
  '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';
const duration = { type: 'string', minLength: 1, pattern: DURATION } as const;

// A reference to one key of a Secret in the resource's namespace.
const secretKeySelector = closed({ key: string, name: string, optional: { type: 'boolean' } }, [
  'key',
]);

const matcher = closed(
  {
    name: { type: 'string', minLength: 1 },
    value: string,
    matchType: { enum: ['!=', '=', '=~', '!~'] },
    regex: { type: 'boolean' },
  },
  ['name'],
);
const matchers = { type: 'array', items: matcher } as const;

/** One route; nested routes are held to the same schema by the test. */
export const ROUTE_SCHEMA = closed({
  receiver: string,
  groupBy: strings,
  groupWait: duration,
  groupInterval: duration,
  repeatInterval: duration,
  continue: { type: 'boolean' },
  matchers,
  muteTimeIntervals: strings,
  activeTimeIntervals: strings,
  // The CRD leaves these unvalidated (preserve-unknown-fields).
  routes: { type: 'array' },
});

const keyValues = {
  type: 'array',
  items: closed({ key: { type: 'string', minLength: 1 }, value: string }, ['key']),
} as const;

const pagerduty = closed({
  routingKey: secretKeySelector,
  serviceKey: secretKeySelector,
  url: string,
  severity: string,
  description: string,
  details: keyValues,
  class: string,
  component: string,
  group: string,
  sendResolved: { type: 'boolean' },
});
const opsgenie = closed({
  apiKey: secretKeySelector,
  apiURL: string,
  message: string,
  description: string,
  priority: string,
  tags: string,
  source: string,
  responders: {
    type: 'array',
    items: closed(
      {
        id: string,
        name: string,
        username: string,
        type: { enum: ['team', 'teams', 'user', 'escalation', 'schedule'] },
      },
      ['type'],
    ),
  },
  sendResolved: { type: 'boolean' },
});
const slack = closed({
  apiURL: secretKeySelector,
  channel: string,
  username: string,
  title: string,
  text: string,
  sendResolved: { type: 'boolean' },
});

/** The resource: apiVersion, kind, metadata, and the spec parts above. */
export const ALERTMANAGERCONFIG_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1alpha1' },
    kind: { const: 'AlertmanagerConfig' },
    metadata: { type: 'object', required: ['name'] },
    spec: closed({
      route: ROUTE_SCHEMA,
      receivers: {
        type: 'array',
        items: closed(
          {
            name: { type: 'string', minLength: 1 },
            pagerdutyConfigs: { type: 'array', items: pagerduty },
            opsgenieConfigs: { type: 'array', items: opsgenie },
            slackConfigs: { type: 'array', items: slack },
          },
          ['name'],
        ),
      },
      inhibitRules: {
        type: 'array',
        items: closed({ sourceMatch: matchers, targetMatch: matchers, equal: strings }),
      },
    }),
  },
} as const;
