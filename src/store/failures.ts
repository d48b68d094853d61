/** Told about a store failure the store did not throw; `op` names the operation. */
export type StoreErrorHandler = (err: Error, op: string) => void;

/** The message of anything thrown. */
export const messageOf = (err: unknown): string =>
  err instanceof Error ? err.message : String(err);

/** The handler used when none is given: a process warning naming the store and operation. */
export const warnAs =
  (store: string): StoreErrorHandler =>
  (err, op) =>
    process.emitWarning(`${store} ${op} failed: ${err.message}`);

/**
 * How the stores keep failures from the caller (probing must go on): `report` hands an error
 * to `onError` after `count` (if given) has seen it; `guard` runs `fn` and answers `fallback`
 * when it throws.
 */
export function storeFailures(
  onError: StoreErrorHandler,
  count?: (err: unknown, op: string) => void,
): {
  report(err: unknown, op: string): void;
  guard<T>(op: string, fallback: T, fn: () => T): T;
} {
  const report = (err: unknown, op: string): void => {
    count?.(err, op);
    try {
      onError(err instanceof Error ? err : new Error(String(err)), op);
    } catch {
      // A throwing error handler must not stop probing either.
    }
  };
  return {
    report,
    guard(op, fallback, fn) {
      try {
        return fn();
      } catch (err) {
        report(err, op);
        return fallback;
      }
    },
  };
}
