import { Counter, Gauge, type Registry } from 'prom-client';
import type { HistoryStore } from './sqlite-store.js';

/**
 * bellwether_store_healthy (1 while history lands where configured) and
 * bellwether_store_write_errors_total, read from the store at scrape time. `store` is a getter
 * so the series follow the store now in use.
 */
export function registerStoreMetrics(
  registry: Registry,
  store: () => Pick<HistoryStore, 'health'>,
): void {
  new Gauge({
    name: 'bellwether_store_healthy',
    help: '1 while probe history is written to the configured database; 0 when it is unavailable, deleted or failing (see /readyz for why).',
    registers: [registry],
    collect() {
      this.set(store().health().healthy ? 1 : 0);
    },
  });
  new Counter({
    name: 'bellwether_store_write_errors_total',
    help: 'Failed history writes (probe results and pruning) since start.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(store().health().writeErrors);
    },
  });
}
