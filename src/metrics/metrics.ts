import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { CANARY_OUTCOMES, type CanaryRun } from '../canary/types.js';
import {
  BREAKER_STATES,
  type BreakerState,
  CONSUMER_STATES,
  type ConsumerState,
  DEPENDENCY_STATES,
  type DependencyState,
} from '../evaluate/states.js';
import { resultVerdict } from '../evaluate/verdict.js';
import { MODEL_CHANGE_KINDS, type ModelChangeKind } from '../models/changes.js';
import { genAiProviderName } from '../otlp/provider.js';
import { type CheckName, type CheckResult, ERROR_CLASSES, TOKEN_CHECKS } from '../probes/types.js';
import {
  COMPONENT_STATUSES,
  incidentActive,
  type VendorStatus,
  vendorStatusSeries,
} from '../statuspages/index.js';

const PHASES = ['dns', 'connect', 'tls', 'ttfb', 'transfer'] as const;

/**
 * Probe duration buckets, seconds: 5–50 ms resolved for local and nearby vendors (a vLLM or
 * Ollama on the same host answers in milliseconds), the degraded bar's default (4 s) and the
 * default timeout (10 s) on a bucket edge. Ten buckets, as many as before.
 */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 4, 10] as const;
/** Time-to-first-token buckets, seconds: eight, as before, from 5 ms to 4 s. */
export const TTFT_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 4] as const;

/**
 * `type` values of bellwether_probe_tokens_total: `reasoning` is a part of `output` (vendors
 * bill thinking as output), so input + output is the spend.
 */
const TOKEN_TYPES = ['input', 'output', 'reasoning'] as const;
const SKIP_REASONS = ['no_key', 'budget'] as const;

/** Identity of a dependency as it appears in labels. Never carries secrets. */
export interface DependencyLabels {
  dependency: string;
  vendor: string;
  model: string;
}

/** Typed handles on the contract metrics, all registered on the registry passed in. */
export interface Metrics {
  registry: Registry;
  /** `at`: epoch ms when the check finished. */
  recordCheck(dep: DependencyLabels, result: CheckResult & { attempts: number }, at: number): void;
  setDependencyState(dep: DependencyLabels, state: DependencyState): void;
  setBreakerState(dependency: string, state: BreakerState): void;
  breakerTransition(dependency: string, to: BreakerState): void;
  setConsumerState(consumer: string, state: ConsumerState): void;
  probeOverrun(dependency: string): void;
  setConfigReloadSuccess(ok: boolean, at: number): void;
  /** A vendor's own status page, as last polled. */
  setVendorStatus(status: VendorStatus): void;
  /** Whether the last round met a billing refusal (not a transient 429). */
  setBillingExhausted(dependency: string, exhausted: boolean): void;
  /**
   * Static facts of a dependency, for joins in alert rules and dashboards; also exports every
   * counter series the dependency can have at 0, so increase() sees its first event.
   */
  describeDependency(
    dep: DependencyLabels & { team?: string; objective: number; checks: readonly CheckName[] },
  ): void;
  /** Static facts of a consumer and its chain (position 0 = primary). */
  describeConsumer(consumer: { id: string; team?: string; uses: string[] }): void;
  /** A dependency's canaries: every outcome counter at 0 from the start, so increase() sees the first run. */
  describeCanaries(dependency: string, canaries: readonly string[]): void;
  /** One run of a security canary: last outcome, whether it is failing, the count by outcome, its tokens. */
  recordCanary(dep: DependencyLabels, run: CanaryRun, failing: boolean): void;
  /** Every kind of model change counted at 0 from the start, so increase() sees the first one. */
  describeModelChanges(dependency: string): void;
  /** One detected model change (src/models/changes.ts). */
  modelChanged(dependency: string, kind: ModelChangeKind): void;
  /** The model the vendor last said served the dependency: one series, the old one removed. */
  setServedModel(dependency: string, servedModel: string): void;
}

const seconds = (ms: number): number => ms / 1000;

/**
 * Creates the contract metrics on `registry`. The registry should carry the `vantage`
 * default label (bellwether.ts sets it) so several instances can be compared in Prometheus.
 */
export function createMetrics(registry: Registry, opts: { version: string }): Metrics {
  const registers = [registry];
  const gauge = <L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ) => new Gauge<L>({ name, help, labelNames, registers });
  const counter = <L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ) => new Counter<L>({ name, help, labelNames, registers });
  const probeSuccess = gauge(
    'bellwether_probe_success',
    'Whether the last probe of this check succeeded (1) or failed (0).',
    ['dependency', 'vendor', 'check'],
  );
  const probeDuration = new Histogram({
    name: 'bellwether_probe_duration_seconds',
    help: 'Duration of probe checks, from sending the request to the last byte or the failure.',
    labelNames: ['dependency', 'vendor', 'check'] as const,
    buckets: [...DURATION_BUCKETS],
    registers,
  });
  const ttft = new Histogram({
    name: 'bellwether_probe_time_to_first_token_seconds',
    help: 'Time from sending a streamed completion to its first content token.',
    labelNames: ['dependency', 'vendor', 'model'] as const,
    buckets: [...TTFT_BUCKETS],
    registers,
  });
  const phase = gauge(
    'bellwether_probe_phase_seconds',
    'Connection phase durations of the last probe (dns, connect, tls, ttfb, transfer).',
    ['dependency', 'phase'],
  );
  const results = counter(
    'bellwether_probe_results_total',
    'Probe check results by outcome and error class (error_class="none" on success).',
    ['dependency', 'vendor', 'check', 'outcome', 'error_class'],
  );
  const retries = counter(
    'bellwether_probe_retries_total',
    'Extra attempts made by bounded retries (attempts beyond the first).',
    ['dependency', 'check'],
  );
  const skipped = counter(
    'bellwether_probe_skipped_total',
    'Checks not run on purpose: no API key configured, or the daily token budget spent.',
    ['dependency', 'check', 'reason'],
  );
  const overruns = counter(
    'bellwether_probe_overruns_total',
    'Scheduled probe rounds skipped because the previous round was still running.',
    ['dependency'],
  );
  const depState = gauge(
    'bellwether_dependency_state',
    'Dependency state: 1 for the current state, 0 for the others.',
    ['dependency', 'vendor', 'state'],
  );
  const breakerState = gauge(
    'bellwether_breaker_state',
    'Circuit breaker state: 1 for the current state, 0 for the others.',
    ['dependency', 'state'],
  );
  const breakerTransitions = counter(
    'bellwether_breaker_transitions_total',
    'Circuit breaker transitions, by the state entered.',
    ['dependency', 'to'],
  );
  const rlRemaining = gauge(
    'bellwether_ratelimit_remaining',
    'Rate-limit units remaining, as the vendor last reported.',
    ['dependency', 'resource'],
  );
  const rlLimit = gauge(
    'bellwether_ratelimit_limit',
    'Rate-limit size, as the vendor last reported.',
    ['dependency', 'resource'],
  );
  const rlReset = gauge(
    'bellwether_ratelimit_reset_timestamp_seconds',
    'When the rate-limit window resets, as the vendor last reported, Unix seconds.',
    ['dependency', 'resource'],
  );
  const billing = gauge(
    'bellwether_billing_exhausted',
    'Whether the last probe round met a billing/quota refusal (insufficient_quota, spend cap): 1 or 0.',
    ['dependency'],
  );
  const tlsExpiry = gauge(
    'bellwether_tls_cert_expiry_timestamp_seconds',
    "Expiry (notAfter) of the dependency's TLS peer certificate, Unix seconds.",
    ['dependency'],
  );
  const lastSuccess = gauge(
    'bellwether_last_success_timestamp_seconds',
    'When a probe check of this dependency last succeeded, Unix seconds.',
    ['dependency'],
  );
  const consumerState = gauge(
    'bellwether_consumer_state',
    'Consumer (security tool) state: 1 for the current state, 0 for the others.',
    ['consumer', 'state'],
  );
  const tokens = counter(
    'bellwether_probe_tokens_total',
    'Tokens spent by probing itself: input and output as billed; reasoning is the part of output the vendor says was spent thinking.',
    ['dependency', 'type'],
  );
  const canarySuccess = gauge(
    'bellwether_canary_success',
    'Whether the last run of this security canary passed (1) or not (0).',
    ['dependency', 'canary'],
  );
  const canaryFailing = gauge(
    'bellwether_canary_failing',
    'Whether this security canary is failing (its last two runs did not pass): the dependency is degraded and unusable for tools that require it.',
    ['dependency', 'canary'],
  );
  const canaryResults = counter(
    'bellwether_canary_results_total',
    'Security canary runs by outcome (pass, wrong_answer, refused, or a transport error class).',
    ['dependency', 'canary', 'outcome'],
  );
  const canaryTokens = counter(
    'bellwether_canary_tokens_total',
    'Tokens spent by security canaries (also inside the daily token budget).',
    ['dependency', 'canary', 'type'],
  );
  const buildInfo = gauge('bellwether_build_info', 'Build information; always 1.', ['version']);
  const reloadSuccess = gauge(
    'bellwether_config_last_reload_success',
    'Whether the last configuration load succeeded.',
  );
  const reloadTime = gauge(
    'bellwether_config_last_reload_success_timestamp_seconds',
    'When the configuration was last loaded successfully, Unix seconds.',
  );
  const dependencyInfo = gauge(
    'bellwether_dependency_info',
    'Static facts of a dependency (vendor, model, owning team); always 1.',
    ['dependency', 'vendor', 'model', 'team', 'gen_ai_provider_name'],
  );
  const objective = gauge(
    'bellwether_dependency_objective_ratio',
    'Availability objective of a dependency for SLO burn-rate alerts (0.99 = 99%).',
    ['dependency'],
  );
  const consumerInfo = gauge(
    'bellwether_consumer_info',
    'Static facts of a consumer (owning team); always 1.',
    ['consumer', 'team'],
  );
  const consumerDependency = gauge(
    'bellwether_consumer_dependency',
    "A consumer's dependency chain: 1 per link, position 0 is the primary.",
    ['consumer', 'dependency', 'position'],
  );
  const vendorStatus = gauge(
    'bellwether_vendor_status',
    "Component status from the vendor's own status page: 1 for the current status, 0 for the others.",
    ['vendor', 'component', 'status'],
  );
  const vendorIncident = gauge(
    'bellwether_vendor_incident_active',
    'Whether the vendor reports an active incident or a degraded component (maintenance alone is 0).',
    ['vendor'],
  );
  const vendorPageUp = gauge(
    'bellwether_vendor_status_up',
    "Whether the vendor's status page was fetched and parsed on the last poll.",
    ['vendor'],
  );
  // ---- Model changes: what the vendor says served the requests, and when that changed.
  const modelChanges = counter(
    'bellwether_model_changes_total',
    'Silent model changes detected: the served model, its system fingerprint, or the embedding of a fixed text (an event, never an outage).',
    ['dependency', 'kind'],
  );
  const servedModelInfo = gauge(
    'bellwether_served_model_info',
    'The model the vendor last said served this dependency; always 1, one series per dependency.',
    ['dependency', 'served_model'],
  );
  // Dependency → the served_model label exported, so a change replaces the series.
  const servedModels = new Map<string, string>();

  // Components exported per vendor, so ones that vanish from a page lose their series.
  const exportedComponents = new Map<string, Set<string>>();
  buildInfo.set({ version: opts.version }, 1);

  const oneHot = <S extends string>(
    gauge: Gauge<string>,
    states: readonly S[],
    current: S,
    labels: Record<string, string>,
  ): void => {
    for (const s of states) gauge.set({ ...labels, state: s }, s === current ? 1 : 0);
  };

  return {
    registry,
    describeModelChanges(dependency) {
      for (const kind of MODEL_CHANGE_KINDS) modelChanges.inc({ dependency, kind }, 0);
    },
    modelChanged(dependency, kind) {
      modelChanges.inc({ dependency, kind });
    },
    setServedModel(dependency, servedModel) {
      const before = servedModels.get(dependency);
      // Set even when unchanged: a reload's resetMetrics() may have cleared the series.
      if (before !== undefined && before !== servedModel) {
        servedModelInfo.remove({ dependency, served_model: before });
      }
      servedModelInfo.set({ dependency, served_model: servedModel }, 1);
      servedModels.set(dependency, servedModel);
    },
    describeCanaries(dependency, canaries) {
      for (const canary of canaries) {
        for (const outcome of CANARY_OUTCOMES)
          canaryResults.inc({ dependency, canary, outcome }, 0);
        for (const type of ['input', 'output']) canaryTokens.inc({ dependency, canary, type }, 0);
        canaryFailing.set({ dependency, canary }, 0);
      }
    },
    recordCanary(dep, run, failing) {
      const labels = { dependency: dep.dependency, canary: run.canary };
      canarySuccess.set(labels, run.outcome === 'pass' ? 1 : 0);
      canaryFailing.set(labels, failing ? 1 : 0);
      canaryResults.inc({ ...labels, outcome: run.outcome });
      if (run.tokens) {
        canaryTokens.inc({ ...labels, type: 'input' }, run.tokens.input);
        canaryTokens.inc({ ...labels, type: 'output' }, run.tokens.output);
      }
    },
    recordCheck(dep, r, at) {
      const labels = { dependency: dep.dependency, vendor: dep.vendor, check: r.check };
      const verdict = resultVerdict(r);
      if (verdict === 'skipped') {
        const reason = r.credentialsMissing ? 'no_key' : 'budget';
        skipped.inc({ dependency: dep.dependency, check: r.check, reason });
        return;
      }
      if (verdict === 'circuit_open') {
        // Counted once as circuit_open; the failure that opened the breaker was counted already.
        results.inc({ ...labels, outcome: 'failure', error_class: 'circuit_open' });
        probeSuccess.set(labels, 0);
        return;
      }
      probeSuccess.set(labels, r.ok ? 1 : 0);
      probeDuration.observe(labels, seconds(r.latencyMs));
      results.inc({
        ...labels,
        outcome: r.ok ? 'success' : 'failure',
        error_class: r.ok ? 'none' : (r.errorClass ?? 'bad_response'),
      });
      if (r.attempts > 1)
        retries.inc({ dependency: dep.dependency, check: r.check }, r.attempts - 1);
      if (r.ok) lastSuccess.set({ dependency: dep.dependency }, at / 1000);
      if (r.ok && r.ttftMs !== undefined) {
        ttft.observe(
          { dependency: dep.dependency, vendor: dep.vendor, model: dep.model },
          seconds(r.ttftMs),
        );
      }
      if (r.phases) {
        const p = r.phases;
        const values = [p.dnsMs, p.connectMs, p.tlsMs, p.ttfbMs, p.transferMs];
        PHASES.forEach((name, i) => {
          const v = values[i];
          // A reused keep-alive socket has no dns/connect/tls: report 0, it cost nothing.
          phase.set({ dependency: dep.dependency, phase: name }, v === undefined ? 0 : seconds(v));
        });
      }
      if (r.tlsCertNotAfter !== undefined) {
        tlsExpiry.set({ dependency: dep.dependency }, Math.floor(r.tlsCertNotAfter / 1000));
      }
      for (const rl of r.rateLimits ?? []) {
        const l = { dependency: dep.dependency, resource: rl.resource };
        if (rl.remaining !== undefined) rlRemaining.set(l, rl.remaining);
        if (rl.limit !== undefined) rlLimit.set(l, rl.limit);
        if (rl.resetAt !== undefined) rlReset.set(l, Math.floor(rl.resetAt / 1000));
      }
      if (r.tokens) {
        tokens.inc({ dependency: dep.dependency, type: 'input' }, r.tokens.input);
        tokens.inc({ dependency: dep.dependency, type: 'output' }, r.tokens.output);
        if (r.tokens.reasoning !== undefined) {
          tokens.inc({ dependency: dep.dependency, type: 'reasoning' }, r.tokens.reasoning);
        }
      }
    },
    setDependencyState(dep, state) {
      oneHot(depState, DEPENDENCY_STATES, state, {
        dependency: dep.dependency,
        vendor: dep.vendor,
      });
    },
    setBreakerState(dependency, state) {
      oneHot(breakerState, BREAKER_STATES, state, { dependency });
    },
    breakerTransition(dependency, to) {
      breakerTransitions.inc({ dependency, to });
    },
    setConsumerState(consumer, state) {
      oneHot(consumerState, CONSUMER_STATES, state, { consumer });
    },
    probeOverrun(dependency) {
      overruns.inc({ dependency });
    },
    setVendorStatus(status) {
      const seen = new Set<string>();
      for (const sample of vendorStatusSeries(status)) {
        seen.add(sample.component);
        vendorStatus.set(
          { vendor: status.vendor, component: sample.component, status: sample.status },
          sample.value,
        );
      }
      const before = exportedComponents.get(status.vendor) ?? new Set<string>();
      for (const component of before) {
        if (seen.has(component)) continue;
        for (const s of COMPONENT_STATUSES) {
          vendorStatus.remove({ vendor: status.vendor, component, status: s });
        }
      }
      exportedComponents.set(status.vendor, seen);
      vendorIncident.set({ vendor: status.vendor }, incidentActive(status));
      vendorPageUp.set({ vendor: status.vendor }, status.ok ? 1 : 0);
    },
    setBillingExhausted(dependency, exhausted) {
      billing.set({ dependency }, exhausted ? 1 : 0);
    },
    describeDependency(dep) {
      dependencyInfo.set(
        {
          dependency: dep.dependency,
          vendor: dep.vendor,
          model: dep.model,
          team: dep.team ?? '',
          // The OpenTelemetry GenAI convention's name, to join with apps' gen_ai.* telemetry.
          gen_ai_provider_name: genAiProviderName(dep.vendor) ?? '',
        },
        1,
      );
      objective.set({ dependency: dep.dependency }, dep.objective);
      // Every counter series present from the start at 0, so increase() counts the first event
      // and dashboards show "none", not "no data".
      const { dependency, vendor } = dep;
      overruns.inc({ dependency }, 0);
      for (const to of BREAKER_STATES) breakerTransitions.inc({ dependency, to }, 0);
      for (const check of dep.checks) {
        results.inc({ dependency, vendor, check, outcome: 'success', error_class: 'none' }, 0);
        for (const error_class of ERROR_CLASSES) {
          results.inc({ dependency, vendor, check, outcome: 'failure', error_class }, 0);
        }
        retries.inc({ dependency, check }, 0);
        // Only the checks that spend tokens can be skipped on purpose (no key, token budget).
        if (!TOKEN_CHECKS.includes(check)) continue;
        for (const reason of SKIP_REASONS) skipped.inc({ dependency, check, reason }, 0);
        for (const type of TOKEN_TYPES) tokens.inc({ dependency, type }, 0);
      }
    },
    describeConsumer(c) {
      consumerInfo.set({ consumer: c.id, team: c.team ?? '' }, 1);
      c.uses.forEach((dependency, position) => {
        consumerDependency.set({ consumer: c.id, dependency, position: String(position) }, 1);
      });
    },
    setConfigReloadSuccess(ok, at) {
      reloadSuccess.set(ok ? 1 : 0);
      if (ok) reloadTime.set(Math.floor(at / 1000));
    },
  };
}
