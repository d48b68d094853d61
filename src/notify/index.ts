export {
  ALERTMANAGER_RESEND_MS,
  alertmanagerBody,
  buildAlertmanagerRequest,
} from './alertmanager.js';
export { ALERTS, type AlertDefinition, dedupKey } from './alerts.js';
export { type ObservedMonitor, observeMonitor } from './bridge.js';
export {
  createNotifiers,
  DEFAULT_QUEUE_SIZE,
  DEFAULT_TIMEOUT_MS,
  type NotifierCarry,
  type Notifiers,
  type NotifiersOptions,
  OUTCOMES,
} from './dispatcher.js';
export { buildOpsgenieRequest, OPSGENIE_API_URL } from './opsgenie.js';
export { buildPagerDutyRequest, PAGERDUTY_EVENTS_URL } from './pagerduty.js';
export { DEFAULT_POLICY, type Policy, step } from './policy.js';
export { DEFAULT_RETRY, fetchSend, type RetryOptions } from './send.js';
export { buildSlackRequest } from './slack.js';
export * from './types.js';
export {
  buildWebhookRequest,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  WEBHOOK_SCHEMA,
} from './webhook.js';
