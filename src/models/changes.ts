import type { DependencyConfig } from '../config/types.js';
import type { CheckResult, EmbeddingReading } from '../probes/types.js';

/** What changed: the model the vendor names, its backend fingerprint, or the embedding of a fixed text. */
export const MODEL_CHANGE_KINDS = ['served_model', 'fingerprint', 'embedding'] as const;
export type ModelChangeKind = (typeof MODEL_CHANGE_KINDS)[number];

/** One detected change: an event, never an outage. */
export interface ModelChange {
  /** Epoch ms of the round that saw it (its start, as its results are stored). */
  at: number;
  kind: ModelChangeKind;
  /** The value before (a served model, a fingerprint, or `<model>, <n> dimensions`). */
  from: string;
  to: string;
  /** `embedding` of the same length only: cosine similarity of the new vector to the baseline. */
  similarity?: number;
}

/** A fingerprint seen for the current served model, with when it was last seen (epoch ms). */
export interface FingerprintSeen {
  value: string;
  seenAt: number;
}

/** The served-model reference of a dependency, for the `model` it is configured with. */
export interface ServedBaseline {
  /** The configured model: a different one (the operator's change) starts a new baseline. */
  model: string;
  servedModel?: string;
  /** Most recently seen first; at most {@link FINGERPRINTS_KEPT}. */
  fingerprints: FingerprintSeen[];
}

/** The embedding reference of a dependency, for the embedding model it is configured with. */
export interface EmbeddingBaseline {
  /** The configured embedding model and dimensions: a different one starts a new baseline. */
  model: string;
  /** How changes name it: `<served or configured model>, <n> dimensions`. */
  label: string;
  vector: number[];
}

/** What a dependency's new results are compared with; persisted so restarts and reloads keep it. */
export interface ModelBaseline {
  served?: ServedBaseline;
  embedding?: EmbeddingBaseline;
}

/** What one round says about the model behind a dependency. */
export interface ModelObservation {
  at: number;
  /** Key of the configured chat model (ServedBaseline.model). */
  model: string;
  servedModel?: string;
  systemFingerprint?: string;
  /** Key of the configured embedding model (EmbeddingBaseline.model). */
  embeddingModel: string;
  /** How an embedding change names the model: the served one, else the configured one. */
  embeddingName: string;
  embedding?: EmbeddingReading;
  /** Under this cosine similarity an embedding is a change (dependency's embeddingSimilarity). */
  similarityThreshold: number;
}

/** Distinct fingerprints remembered per served model. */
export const FINGERPRINTS_KEPT = 8;
/** A fingerprint not seen for this long leaves the set (the most recent one always stays). */
export const FINGERPRINT_WINDOW_MS = 24 * 3_600_000;
/** A fingerprint's last sighting is moved on (and persisted) at most this often. */
export const FINGERPRINT_REFRESH_MS = 3_600_000;
/** Vectors longer than this (the config's embeddingDimensions bound) are not judged. */
export const MAX_EMBEDDING_DIMENSIONS = 65_536;

/**
 * Cosine similarity of two vectors of the same length, in [-1, 1]; undefined when the lengths
 * differ, a vector is empty or holds a value that is not a finite number. Each vector is
 * scaled by its largest magnitude first, so no sum overflows; two zero vectors are the same (1),
 * one zero vector is unlike anything (0).
 */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number | undefined {
  if (a.length !== b.length || a.length === 0) return undefined;
  let maxA = 0;
  let maxB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return undefined;
    maxA = Math.max(maxA, Math.abs(x));
    maxB = Math.max(maxB, Math.abs(y));
  }
  if (maxA === 0 || maxB === 0) return maxA === maxB ? 1 : 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = (a[i] as number) / maxA;
    const y = (b[i] as number) / maxB;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return Math.max(-1, Math.min(1, dot / Math.sqrt(normA * normB)));
}

const usableVector = (e: EmbeddingReading | undefined): e is EmbeddingReading =>
  e !== undefined &&
  e.vector.length > 0 &&
  e.vector.length <= MAX_EMBEDDING_DIMENSIONS &&
  e.vector.every(Number.isFinite);

const dimensionsText = (name: string, n: number): string => `${name}, ${n} dimensions`;

/**
 * What a round's results say about the model: the served model and fingerprint of a passed
 * `completion` (other checks may name another model: an embeddings answer names the embedding
 * model), and the vector of a passed `embeddings` check.
 */
export function observeRound(
  dep: Pick<
    DependencyConfig,
    'model' | 'embeddingModel' | 'embeddingDimensions' | 'embeddingSimilarity'
  >,
  results: readonly CheckResult[],
  at: number,
): ModelObservation {
  const completion = results.find((r) => r.check === 'completion' && r.ok);
  const embeddings = results.find((r) => r.check === 'embeddings' && r.ok);
  return {
    at,
    model: dep.model ?? '',
    ...(completion?.servedModel ? { servedModel: completion.servedModel } : {}),
    ...(completion?.systemFingerprint ? { systemFingerprint: completion.systemFingerprint } : {}),
    embeddingModel: `${dep.embeddingModel ?? ''}|${dep.embeddingDimensions ?? ''}`,
    embeddingName: embeddings?.servedModel ?? dep.embeddingModel ?? 'embedding',
    ...(embeddings?.embedding ? { embedding: embeddings.embedding } : {}),
    similarityThreshold: dep.embeddingSimilarity,
  };
}

/** The fingerprints still remembered at `at`: seen within the window, the newest always kept. */
function recentFingerprints(list: readonly FingerprintSeen[], at: number): FingerprintSeen[] {
  return list.filter((f, i) => i === 0 || at - f.seenAt <= FINGERPRINT_WINDOW_MS);
}

function detectServed(
  previous: ServedBaseline | undefined,
  obs: ModelObservation,
): { changes: ModelChange[]; baseline: ServedBaseline | undefined; dirty: boolean } {
  const { at, servedModel, systemFingerprint: fp } = obs;
  const seen = (value: string): FingerprintSeen[] => [{ value, seenAt: at }];
  if (previous === undefined || previous.model !== obs.model) {
    // Nothing known for this configured model: what it says now is the baseline, not a change.
    if (servedModel === undefined && fp === undefined) {
      return { changes: [], baseline: previous, dirty: false };
    }
    const baseline: ServedBaseline = {
      model: obs.model,
      ...(servedModel !== undefined ? { servedModel } : {}),
      fingerprints: fp === undefined ? [] : seen(fp),
    };
    return { changes: [], baseline, dirty: true };
  }
  if (servedModel !== undefined && previous.servedModel !== undefined) {
    if (servedModel !== previous.servedModel) {
      // A new model comes with its own fingerprints: they start afresh, with no second event.
      const change: ModelChange = {
        at,
        kind: 'served_model',
        from: previous.servedModel,
        to: servedModel,
      };
      const baseline = { model: obs.model, servedModel, fingerprints: fp ? seen(fp) : [] };
      return { changes: [change], baseline, dirty: true };
    }
  }
  const changes: ModelChange[] = [];
  let dirty = false;
  const baseline: ServedBaseline = { ...previous, fingerprints: previous.fingerprints };
  if (servedModel !== undefined && previous.servedModel === undefined) {
    baseline.servedModel = servedModel;
    dirty = true;
  }
  if (fp !== undefined) {
    const kept = recentFingerprints(previous.fingerprints, at);
    if (kept.length !== previous.fingerprints.length) dirty = true;
    const known = kept.find((f) => f.value === fp);
    let list: FingerprintSeen[];
    if (known) {
      const stale = at - known.seenAt >= FINGERPRINT_REFRESH_MS;
      list = stale ? [...seen(fp), ...kept.filter((f) => f !== known)] : kept;
      if (stale) dirty = true;
    } else {
      const last = kept[0];
      if (last !== undefined) changes.push({ at, kind: 'fingerprint', from: last.value, to: fp });
      list = [...seen(fp), ...kept].slice(0, FINGERPRINTS_KEPT);
      dirty = true;
    }
    baseline.fingerprints = list;
  }
  return { changes, baseline, dirty };
}

function detectEmbedding(
  previous: EmbeddingBaseline | undefined,
  obs: ModelObservation,
): { changes: ModelChange[]; baseline: EmbeddingBaseline | undefined; dirty: boolean } {
  const reading = obs.embedding;
  if (!usableVector(reading)) return { changes: [], baseline: previous, dirty: false };
  const label = dimensionsText(obs.embeddingName, reading.vector.length);
  const next: EmbeddingBaseline = { model: obs.embeddingModel, label, vector: [...reading.vector] };
  if (previous === undefined || previous.model !== obs.embeddingModel) {
    return { changes: [], baseline: next, dirty: true };
  }
  const similarity = cosineSimilarity(previous.vector, reading.vector);
  if (similarity !== undefined && similarity >= obs.similarityThreshold) {
    return { changes: [], baseline: previous, dirty: false };
  }
  const change: ModelChange = {
    at: obs.at,
    kind: 'embedding',
    from: previous.label,
    to: label,
    // A new length has no similarity to speak of: the change is the dimensions.
    ...(similarity === undefined ? {} : { similarity }),
  };
  return { changes: [change], baseline: next, dirty: true };
}

/**
 * Compares one round's observation with the dependency's baseline. Pure: returns the changes
 * (oldest kind first: served model, fingerprint, embedding), the baseline to keep and whether
 * it differs from the one passed in (to be persisted).
 *
 * - The first value seen (or the first after the configured model changed) is the baseline,
 *   never a change; a value the vendor did not send is no change either.
 * - Served model: any value other than the last one seen is a change, and becomes the baseline.
 * - Fingerprint: the set of fingerprints seen for the current served model in the last 24 h
 *   (at most 8, the newest always kept) is the baseline; one already in it is no change, so a
 *   vendor rotating among a few backends raises one change per new member, then none.
 * - Embedding: cosine similarity to the baseline vector under the threshold, or another
 *   length, is a change; the new vector becomes the baseline.
 */
export function detectModelChanges(
  previous: ModelBaseline | undefined,
  obs: ModelObservation,
): { changes: ModelChange[]; baseline: ModelBaseline; dirty: boolean } {
  const served = detectServed(previous?.served, obs);
  const embedding = detectEmbedding(previous?.embedding, obs);
  const baseline: ModelBaseline = {
    ...(served.baseline ? { served: served.baseline } : {}),
    ...(embedding.baseline ? { embedding: embedding.baseline } : {}),
  };
  return {
    changes: [...served.changes, ...embedding.changes],
    baseline,
    dirty: served.dirty || embedding.dirty,
  };
}
