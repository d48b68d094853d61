/**
 * What a fake vendor answers to an embeddings request: a vector of `dimensions` numbers drawn
 * from `seed` (the same seed gives the same vector, another seed a dissimilar one), or a
 * `vector` given whole (all zeros, say). Tests change it to script a model change.
 */
export interface FakeEmbedding {
  dimensions?: number;
  seed?: number;
  vector?: number[];
}

/** The fakes' embedding state: the current setting, changed by `set`, and the vector it gives. */
export interface EmbeddingSource {
  set(embedding: FakeEmbedding): void;
  vector(): number[];
}

/**
 * A deterministic unit vector: components from a sine hash of seed and index, normalised as
 * the vendors' embedding models answer (OpenAI, Gemini and Titan return unit vectors).
 */
export function fakeVector(dimensions: number, seed: number): number[] {
  const raw = Array.from({ length: dimensions }, (_, i) => {
    const x = Math.sin((seed + 1) * 12.9898 + (i + 1) * 78.233) * 43_758.5453;
    return x - Math.floor(x) - 0.5;
  });
  const norm = Math.hypot(...raw) || 1;
  return raw.map((v) => Number((v / norm).toFixed(8)));
}

/** An embedding source starting at `dimensions` numbers, seed 1. */
export function embeddingSource(dimensions: number, initial: FakeEmbedding = {}): EmbeddingSource {
  let current: FakeEmbedding = { dimensions, seed: 1, ...initial };
  return {
    set(embedding) {
      current = { dimensions, seed: 1, ...embedding };
    },
    vector() {
      return current.vector ?? fakeVector(current.dimensions ?? dimensions, current.seed ?? 1);
    },
  };
}
