import { performance } from 'node:perf_hooks';
import { type Metric, type OpenMetricsContentType, Registry } from 'prom-client';

/** The two text formats /metrics speaks. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

/** Content-Type of each format, as prom-client names them. */
export const EXPOSITION_CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

type Labels = Record<string, string | number>;

// The parts of prom-client 15's metric objects this writer reads. A metric of another shape
// (a summary, exemplars, a future prom-client) is rendered by prom-client itself instead.
interface ValueEntry {
  labels: Labels;
  value: number;
}
interface HistogramEntry {
  labels: Labels;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}
interface MetricInternals {
  name: string;
  help: string;
  type: string;
  hashMap?: Record<string, ValueEntry | HistogramEntry>;
  upperBounds?: readonly number[];
  enableExemplars?: boolean;
  collect?: () => unknown;
}

/** One series as last rendered: its text is reused while its labels and values are unchanged. */
interface SeriesText {
  labels: Labels;
  prefix: string;
  value: number;
  count: number;
  text: string;
  /** Histograms: the label text of each line (buckets, +Inf, _sum, _count). */
  linePrefixes?: string[];
}

interface MetricCache {
  defaults: Labels;
  series: Map<string, SeriesText>;
}

/** Series between two checks of the time budget (a check is a performance.now() call). */
const CHECK_EVERY = 256;
/** Lines per output piece: pieces are what is streamed and compressed. */
const LINES_PER_PIECE = 4096;

const escapeString = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabelValue = (v: string | number): string | number =>
  typeof v === 'string' ? escapeString(v).replace(/"/g, '\\"') : v;

/** A number as prom-client writes it. */
function valueText(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

function formatLabels(labels: Labels, exclude?: Labels): string[] {
  const out: string[] = [];
  for (const name of Object.keys(labels)) {
    if (exclude !== undefined && Object.hasOwn(exclude, name)) continue;
    out.push(`${name}="${escapeLabelValue(labels[name] as string | number)}"`);
  }
  return out;
}

/** Same keys in the same order with the same values (key order shows in the output). */
function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string;
    if (k !== kb[i] || a[k] !== b[k]) return false;
  }
  return true;
}

const braces = (parts: string[]): string => (parts.length > 0 ? `{${parts.join(',')}}` : '');

/** `name{labels} ` for a counter or gauge sample, as prom-client orders labels. */
function samplePrefix(name: string, labels: Labels, defaults: Labels): string {
  return `${name}${braces(formatLabels({ ...labels, ...defaults, ...labels }))} `;
}

/** The label text of every line of one histogram series, as prom-client orders labels. */
function histogramPrefixes(
  name: string,
  bounds: readonly number[],
  labels: Labels,
  defaults: Labels,
): string[] {
  const shared = formatLabels(labels).join(',');
  const line = (metricName: string, own: Labels): string => {
    const merged = { ...own, ...defaults, ...own };
    const parts = [...formatLabels(merged, labels), shared].filter((p) => p.length > 0);
    return `${metricName}${braces(parts)} `;
  };
  return [
    ...bounds.map((le) => line(`${name}_bucket`, { le })),
    line(`${name}_bucket`, { le: '+Inf' }),
    line(`${name}_sum`, {}),
    line(`${name}_count`, {}),
  ];
}

function histogramText(
  prefixes: readonly string[],
  bounds: readonly number[],
  e: HistogramEntry,
): string {
  const lines: string[] = [];
  let acc = 0;
  for (let i = 0; i < bounds.length; i++) {
    acc += e.bucketValues[bounds[i] as number] as number;
    lines.push(prefixes[i] + valueText(acc));
  }
  const n = bounds.length;
  lines.push(prefixes[n] + valueText(e.count));
  lines.push(prefixes[n + 1] + valueText(e.sum));
  lines.push(prefixes[n + 2] + valueText(e.count));
  return lines.join('\n');
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The default labels set on a registry with setDefaultLabels (prom-client keeps them private). */
export function defaultLabelsOf(registry: Registry): Labels {
  return (registry as unknown as { _defaultLabels?: Labels })._defaultLabels ?? {};
}

/** Renders a registry as Prometheus text or OpenMetrics. */
export interface Exposition {
  /**
   * The exposition as pieces of text (their concatenation is the document), byte for byte what
   * prom-client's registry.metrics() writes for the same state. Yields to the event loop
   * whenever `sliceMs` of work have passed, so a scrape of any size never blocks it longer.
   */
  render(format: ExpositionFormat): Promise<string[]>;
}

/**
 * A writer over prom-client's metric objects that keeps each series' text between renders and
 * rebuilds only the series whose labels or values changed (prom-client rebuilds every line,
 * with an object per line). Default labels (the vantage) are read at every render.
 */
export function createExposition(registry: Registry, opts: { sliceMs?: number } = {}): Exposition {
  const sliceMs = opts.sliceMs ?? 5;
  const caches: Record<ExpositionFormat, WeakMap<object, MetricCache>> = {
    prometheus: new WeakMap(),
    openmetrics: new WeakMap(),
  };

  const cacheFor = (format: ExpositionFormat, metric: object, defaults: Labels): MetricCache => {
    let cache = caches[format].get(metric);
    if (cache === undefined || cache.defaults !== defaults) {
      cache = { defaults, series: new Map() };
      caches[format].set(metric, cache);
    }
    return cache;
  };

  /** prom-client's own text for a metric this writer does not know the shape of. */
  const fallback = async (
    metric: Metric,
    format: ExpositionFormat,
    defaults: Labels,
  ): Promise<string> => {
    const name = (metric as unknown as MetricInternals).name;
    if (format === 'prometheus') return registry.getSingleMetricAsString(name);
    const view = new Registry<OpenMetricsContentType>();
    view.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    view.setDefaultLabels(defaults);
    view.registerMetric(metric);
    return view.getSingleMetricAsString(name);
  };

  return {
    async render(format) {
      const defaults = defaultLabelsOf(registry);
      const pieces: string[] = [];
      let lines: string[] = [];
      const emit = (line: string): void => {
        lines.push(line);
        if (lines.length >= LINES_PER_PIECE) {
          pieces.push(`${lines.join('\n')}\n`);
          lines = [];
        }
      };
      let sliceStart = performance.now();
      let sinceCheck = 0;
      const maybeYield = async (): Promise<void> => {
        if (++sinceCheck < CHECK_EVERY) return;
        sinceCheck = 0;
        if (performance.now() - sliceStart < sliceMs) return;
        await nextTurn();
        sliceStart = performance.now();
      };

      const metrics = registry.getMetricsAsArray();
      for (let m = 0; m < metrics.length; m++) {
        const metric = metrics[m] as unknown as Metric;
        const raw = metric as unknown as MetricInternals;
        if (format === 'prometheus' && m > 0) emit('');
        const isHistogram = raw.type === 'histogram';
        const known =
          raw.hashMap !== undefined &&
          raw.enableExemplars !== true &&
          (raw.type === 'counter' ||
            raw.type === 'gauge' ||
            (isHistogram && raw.upperBounds !== undefined));
        if (!known) {
          emit(await fallback(metric, format, defaults));
          continue;
        }
        if (typeof raw.collect === 'function') await raw.collect();
        const isCounter = raw.type === 'counter';
        const openMetricsCounter = format === 'openmetrics' && isCounter;
        const base = openMetricsCounter ? raw.name.replace(/_total$/, '') : raw.name;
        const name = escapeString(base);
        emit(`# HELP ${name} ${escapeString(raw.help)}`);
        emit(`# TYPE ${name} ${raw.type}`);
        const sampleName = openMetricsCounter ? `${name}_total` : name;
        const cache = cacheFor(format, metric, defaults);
        const map = raw.hashMap as Record<string, ValueEntry | HistogramEntry>;
        const bounds = raw.upperBounds ?? [];
        let live = 0;
        for (const key in map) {
          const entry = map[key] as ValueEntry | HistogramEntry;
          live++;
          let s = cache.series.get(key);
          if (s === undefined || !sameLabels(s.labels, entry.labels)) {
            s = isHistogram
              ? {
                  labels: entry.labels,
                  prefix: '',
                  value: Number.NaN,
                  count: -1,
                  text: '',
                  linePrefixes: histogramPrefixes(name, bounds, entry.labels, defaults),
                }
              : {
                  labels: entry.labels,
                  prefix: samplePrefix(sampleName, entry.labels, defaults),
                  value: Number.NaN,
                  count: -1,
                  text: '',
                };
            cache.series.set(key, s);
          } else {
            s.labels = entry.labels;
          }
          if (isHistogram) {
            const h = entry as HistogramEntry;
            // Every observation raises the count, so an unchanged count and sum mean unchanged buckets.
            if (h.count !== s.count || h.sum !== s.value || s.text === '') {
              s.count = h.count;
              s.value = h.sum;
              s.text = histogramText(s.linePrefixes as string[], bounds, h);
            }
          } else {
            const v = (entry as ValueEntry).value;
            if (v !== s.value || s.text === '') {
              s.value = v;
              s.text = s.prefix + valueText(v);
            }
          }
          emit(s.text);
          await maybeYield();
        }
        // Series removed from the metric (reset, remove) leave the cache too.
        if (cache.series.size > live) {
          for (const key of cache.series.keys()) if (!(key in map)) cache.series.delete(key);
        }
      }
      if (format === 'openmetrics') emit('# EOF');
      if (lines.length > 0) pieces.push(`${lines.join('\n')}\n`);
      return pieces;
    },
  };
}
