/** Small total helpers for reading vendor JSON without trusting its shape. */

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number, or undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Parsed JSON, or undefined when the text is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The string `fields` of each object in the array `list` of a JSON document (a vendor's model
 * list), each value once per object; undefined when the text is not such a document.
 */
export function listedStrings(
  text: string,
  list: string,
  ...fields: string[]
): string[] | undefined {
  const doc = parseJson(text);
  const entries = isRecord(doc) ? doc[list] : undefined;
  if (!Array.isArray(entries)) return undefined;
  return entries.flatMap((e) => {
    if (!isRecord(e)) return [];
    return [...new Set(fields.map((f) => e[f]).filter((v): v is string => typeof v === 'string'))];
  });
}
