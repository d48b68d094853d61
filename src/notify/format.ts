/** ISO 8601 UTC with milliseconds, the form every payload uses. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** Cuts `text` to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Drops the keys whose value is undefined, so optional fields are absent, not null. */
export function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(record).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** The URL without trailing slashes, to append API paths to. */
export const trimSlash = (url: string): string => url.replace(/\/+$/, '');
