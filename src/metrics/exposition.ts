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

interface MetricCache {
  defaults: Labels;
  /**
   * Label text per series, by prom-client's series key (which encodes every label value): the
   * `name{labels} ` prefix of a counter or gauge, or the labels after `le` of a histogram.
   */
  labels: Map<string, string>;
}

/**
 * A metric's series keys in prom-client's order, kept between renders: Object.keys on a map of
 * 100,000 series (bellwether_probe_results_total at 5,000 dependencies) takes 20-30 ms in one
 * go, longer than a render may block. prom-client's map is put behind a proxy that appends each
 * new key (its insertion order is the order Object.keys answers) and marks a deletion, which is
 * rare (a dependency removed at reload), for one enumeration at the next render.
 */
interface KeyIndex {
  proxy: object;
  target: Record<string, ValueEntry | HistogramEntry>;
  keys: string[];
  stale: boolean;
}

// An integer-like key would be enumerated before the others; prom-client's keys never are.
const INDEX_LIKE = /^(?:0|[1-9]\d{0,9})$/;

function indexKeys(raw: MetricInternals): KeyIndex {
  const target = raw.hashMap as Record<string, ValueEntry | HistogramEntry>;
  const index: KeyIndex = { proxy: target, target, keys: Object.keys(target), stale: false };
  index.proxy = new Proxy(target, {
    set(t, key, value) {
      if (typeof key !== 'string') index.stale = true;
      else if (!Object.hasOwn(t, key)) {
        if (key.length <= 10 && INDEX_LIKE.test(key)) index.stale = true;
        else index.keys.push(key);
      }
      (t as Record<string | symbol, unknown>)[key] = value;
      return true;
    },
    deleteProperty(t, key) {
      index.stale = true;
      return Reflect.deleteProperty(t, key);
    },
    defineProperty(t, key, descriptor) {
      index.stale = true;
      return Reflect.defineProperty(t, key, descriptor);
    },
  });
  raw.hashMap = index.proxy as Record<string, ValueEntry | HistogramEntry>;
  return index;
}

/** Series between two checks of the time budget (a check is a performance.now() call). */
const CHECK_EVERY = 256;
/**
 * Lines per output piece: pieces are what is streamed and compressed. At about 450 KiB a piece
 * lands in V8's large-object space, which scavenges never copy; 512-line pieces (50 KiB) kept
 * 10-15 MiB less between scrapes but were copied by every scavenge during the render, which
 * then blocked 13 ms instead of 8 at 5,000 dependencies and cost 20 % more CPU (measured).
 */
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

const braces = (parts: string[]): string => (parts.length > 0 ? `{${parts.join(',')}}` : '');

/** `name{labels} ` for a counter or gauge sample, as prom-client orders labels. */
function samplePrefix(name: string, labels: Labels, defaults: Labels): string {
  return `${name}${braces(formatLabels({ ...labels, ...defaults, ...labels }))} `;
}

/**
 * The labels of one histogram series after `le`, as prom-client orders them: the default labels
 * (those the series does not set itself), then the series' own.
 */
function histogramLabels(labels: Labels, defaults: Labels): string {
  return [...formatLabels(defaults, labels), ...formatLabels(labels)].join(',');
}

/** The constant head of each line of a histogram's series, up to where the series' labels go. */
function histogramHeads(name: string, bounds: readonly number[]): string[] {
  return [...bounds.map((le) => `${name}_bucket{le="${le}"`), `${name}_bucket{le="+Inf"`];
}

/**
 * Emits one histogram series' lines. Each line is a concatenation of ready strings, so no
 * line is copied before the piece it lands in is joined.
 */
function emitHistogram(
  emit: (line: string) => void,
  name: string,
  heads: readonly string[],
  boundKeys: readonly string[],
  labels: string,
  e: HistogramEntry,
): void {
  const rest = labels.length > 0 ? `,${labels}} ` : '} ';
  const plain = labels.length > 0 ? `{${labels}} ` : ' ';
  let acc = 0;
  const values = e.bucketValues;
  for (let i = 0; i < boundKeys.length; i++) {
    // String keys: a number key would be turned into its string on every lookup.
    acc += values[boundKeys[i] as string] as number;
    emit((heads[i] as string) + rest + valueText(acc));
  }
  emit((heads[boundKeys.length] as string) + rest + valueText(e.count));
  emit(`${name}_sum${plain}${valueText(e.sum)}`);
  emit(`${name}_count${plain}${valueText(e.count)}`);
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
 * A writer over prom-client's metric objects that keeps each series' label text between
 * renders (prom-client rebuilds every label set with several objects per line) and writes only
 * the values anew. Default labels (the vantage) are read at every render; a change rebuilds
 * the label text.
 */
export function createExposition(registry: Registry, opts: { sliceMs?: number } = {}): Exposition {
  const sliceMs = opts.sliceMs ?? 5;
  const indexes = new WeakMap<object, KeyIndex>();
  const keysOf = (raw: MetricInternals): KeyIndex => {
    let index = indexes.get(raw);
    // prom-client's reset() puts a new map in place: index that one.
    if (index === undefined || raw.hashMap !== index.proxy) {
      index = indexKeys(raw);
      indexes.set(raw, index);
    } else if (index.stale) {
      index.keys = Object.keys(index.target);
      index.stale = false;
    }
    return index;
  };
  const caches: Record<ExpositionFormat, WeakMap<object, MetricCache>> = {
    prometheus: new WeakMap(),
    openmetrics: new WeakMap(),
  };

  const cacheFor = (format: ExpositionFormat, metric: object, defaults: Labels): MetricCache => {
    let cache = caches[format].get(metric);
    if (cache === undefined || cache.defaults !== defaults) {
      cache = { defaults, labels: new Map() };
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
      // Checked every CHECK_EVERY series, inline: an await per series would cost more than the line.
      const sliceOver = (): boolean => {
        if (++sinceCheck < CHECK_EVERY) return false;
        sinceCheck = 0;
        return performance.now() - sliceStart >= sliceMs;
      };
      const yieldTurn = async (): Promise<void> => {
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
        const { target: map, keys } = keysOf(raw);
        const bounds = raw.upperBounds ?? [];
        const heads = isHistogram ? histogramHeads(name, bounds) : [];
        const boundKeys = bounds.map(String);
        let live = 0;
        for (const key of keys) {
          // A series removed while the render yielded is skipped.
          const entry = map[key];
          if (entry === undefined) continue;
          live++;
          let labels = cache.labels.get(key);
          if (labels === undefined) {
            labels = isHistogram
              ? histogramLabels(entry.labels, defaults)
              : samplePrefix(sampleName, entry.labels, defaults);
            cache.labels.set(key, labels);
          }
          if (isHistogram) {
            emitHistogram(emit, name, heads, boundKeys, labels, entry as HistogramEntry);
          } else {
            emit(labels + valueText((entry as ValueEntry).value));
          }
          if (sliceOver()) await yieldTurn();
        }
        // Series removed from the metric (reset, remove) leave the cache too.
        if (cache.labels.size > live) {
          for (const key of cache.labels.keys()) if (!(key in map)) cache.labels.delete(key);
        }
      }
      if (format === 'openmetrics') emit('# EOF');
      if (lines.length > 0) pieces.push(`${lines.join('\n')}\n`);
      return pieces;
    },
  };
}
