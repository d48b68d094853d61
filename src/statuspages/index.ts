export { type Agreement, agreement, declaredReason } from './agreement.js';
export { displayUrl, type FetchPlan, type PageKind, parseStatusBody, planFetch } from './detect.js';
export { DEFAULT_RECENCY_MS, incidentKey, looksResolved, parseFeed } from './feed.js';
export {
  createStatusPagePoller,
  DEFAULT_STATUS_INTERVAL_MS,
  DEFAULT_STATUS_MAX_BODY_BYTES,
  DEFAULT_STATUS_TIMEOUT_MS,
  type StatusPageLogger,
  type StatusPagePoller,
  type StatusPagePollerOptions,
} from './poller.js';
export {
  incidentActive,
  maintenanceInProgress,
  type VendorStatusSample,
  vendorDeclaresProblem,
  vendorStatusSeries,
} from './series.js';
export { parseSummary, parseSummaryObject } from './summary.js';
export * from './types.js';
