import { parseArgs } from 'node:util';
import { loadOrReport } from './bellwether.js';
import {
  availabilityReport,
  parseMonth,
  reportCsv,
  reportedDependency,
  reportMarkdown,
} from './incidents/availability.js';
import { openIncidentStore } from './store/incidents.js';

/** `bellwether report --help`. */
export const REPORT_USAGE = `Usage: bellwether report --month YYYY-MM [--format markdown|csv] [--config FILE]

Monthly availability per dependency and per vendor from the incident history in the
configured storage.path: uptime (share of counted probe results that passed), incidents,
minutes down and degraded, worst state, and whether the objective was met.

Exit status: 0 printed, 1 no history at storage.path yet, 2 usage error, 3 configuration error.

Options:
  -m, --month YYYY-MM   the UTC month (required)
  -f, --format F        markdown (default) or csv
  -c, --config FILE     config file (env BELLWETHER_CONFIG; default config/bellwether.yaml)
  -h, --help            this help
`;

// The exit statuses of every command (src/cli.ts): 2 usage error, 3 configuration error.
const EXIT_USAGE = 2;
const EXIT_CONFIG = 3;

/** What the report command writes to and reads from; process streams and env in production. */
export interface ReportIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  now: number;
}

/** Runs `bellwether report` with the arguments after `report`; resolves to the exit code. */
export function runReport(argv: string[], io: ReportIo): number {
  let values: { month?: string; format?: string; config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        month: { type: 'string', short: 'm' },
        format: { type: 'string', short: 'f' },
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr(`${(err as Error).message}\n\n${REPORT_USAGE}`);
    return EXIT_USAGE;
  }
  if (values.help) {
    io.stdout(REPORT_USAGE);
    return 0;
  }
  const month = parseMonth(values.month, io.now);
  if (month instanceof Error) {
    io.stderr(`--${month.message}\n\n${REPORT_USAGE}`);
    return EXIT_USAGE;
  }
  const format = values.format ?? 'markdown';
  if (format !== 'markdown' && format !== 'csv') {
    io.stderr(`--format must be markdown or csv, got "${format.slice(0, 32)}"\n`);
    return EXIT_USAGE;
  }
  const configPath = values.config ?? io.env.BELLWETHER_CONFIG ?? 'config/bellwether.yaml';
  const config = loadOrReport(configPath, io.env, (line) => io.stderr(`${line}\n`));
  if (!config) return EXIT_CONFIG;
  const path = config.storage.path;
  if (path === ':memory:' || path === '') {
    io.stderr(
      `storage.path is ${JSON.stringify(path)}: no history is kept, so there is nothing to report\n`,
    );
    return 1;
  }
  let store: ReturnType<typeof openIncidentStore>;
  try {
    store = openIncidentStore({
      path,
      readonly: true,
      onError: (err, op) => io.stderr(`incident history ${op} failed: ${err.message}\n`),
    });
  } catch (err) {
    io.stderr(`${(err as Error).message}\n`);
    return 1;
  }
  try {
    const report = availabilityReport({
      store,
      dependencies: config.dependencies.map(reportedDependency),
      month,
      now: io.now,
      vantage: config.vantage,
    });
    io.stdout(format === 'csv' ? reportCsv(report) : reportMarkdown(report));
    return 0;
  } finally {
    store.close();
  }
}
