#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { build, loadOrReport, readVersion, startBellwether } from './bellwether.js';
import { DEFAULT_POLICY } from './evaluate/evaluate.js';
import { resultVerdict } from './evaluate/verdict.js';
import { accessFromEnv } from './http/access.js';
import type { DependencySnapshot } from './monitor.js';

const USAGE = `Usage: bellwether <command> [options]

Commands:
  run        probe on schedule, serve /metrics, /api/v1/* and the status page (default)
  check      one round of probes, print a table; exit 1 if any dependency is down
  validate   check the config file; print every error with file:line:col; exit 0 or 1

Options:
  -c, --config FILE   config file (env BELLWETHER_CONFIG; default config/bellwether.yaml)
  -p, --port N        listen port for run (env PORT; default from config, 9477)
                      SIGHUP, or POST /-/reload with BELLWETHER_RELOAD_TOKEN, reloads the config
      --log-level L   trace|debug|info|warn|error (env LOG_LEVEL; default info)
  -h, --help          this help
  -v, --version       print the version
`;

const EXIT_CONFIG = 2;

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function checkRow(s: DependencySnapshot): string[] {
  const results = s.lastRound?.results ?? [];
  const counted = results.filter((r) => resultVerdict(r) !== 'skipped');
  const latency = counted.reduce((sum, r) => sum + r.latencyMs, 0);
  const ttft = results.find((r) => r.ttftMs !== undefined)?.ttftMs;
  const failed = counted.find((r) => !r.ok);
  return [
    s.config.id,
    s.config.vendor,
    s.evaluation.state,
    counted.length ? `${Math.round(latency)} ms` : '-',
    ttft === undefined ? '-' : `${Math.round(ttft)} ms`,
    failed?.errorClass ?? '-',
    s.evaluation.reasons.join('; ') || 'ok',
  ];
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${readVersion()}\n`);
    return 0;
  }
  const command = positionals[0] ?? 'run';
  if (!['run', 'check', 'validate'].includes(command) || positionals.length > 1) {
    process.stderr.write(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
    return EXIT_CONFIG;
  }
  const configPath = values.config ?? process.env.BELLWETHER_CONFIG ?? 'config/bellwether.yaml';
  const portText = values.port ?? process.env.PORT;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`--port must be an integer from 0 to 65535, got "${portText}"\n`);
    return EXIT_CONFIG;
  }
  const report = (line: string) => process.stderr.write(`${line}\n`);
  const config = loadOrReport(configPath, process.env, report);
  if (!config) return command === 'validate' ? 1 : EXIT_CONFIG;
  const logLevel = values['log-level'] ?? process.env.LOG_LEVEL;

  if (command === 'validate') {
    process.stdout.write(
      `${configPath}: ok (${config.dependencies.length} dependencies, ${config.consumers.length} consumers)\n`,
    );
    return 0;
  }

  if (command === 'check') {
    // One round decides: a failed round is down here, there is no second round to wait for.
    const parts = build({
      config,
      logLevel: logLevel ?? 'warn',
      logDestination: process.stderr as never,
      storePath: ':memory:',
      policy: { ...DEFAULT_POLICY, downAfterRounds: 1 },
    });
    await parts.monitor.probeAll();
    const snapshots = parts.monitor.dependencies();
    const header = ['DEPENDENCY', 'VENDOR', 'STATE', 'LATENCY', 'TTFT', 'ERROR', 'DETAIL'];
    process.stdout.write(`${table([header, ...snapshots.map(checkRow)])}\n`);
    await parts.monitor.stop(0);
    parts.http.close();
    parts.store.close();
    const down = snapshots.filter((s) => s.evaluation.state === 'down');
    if (down.length > 0) {
      process.stderr.write(`down: ${down.map((s) => s.config.id).join(', ')}\n`);
      return 1;
    }
    return 0;
  }

  const envAccess = accessFromEnv(process.env);
  if (!envAccess.ok) {
    for (const e of envAccess.errors) report(e);
    report('Bellwether did not start: access settings would leave the API open or unusable.');
    return EXIT_CONFIG;
  }
  const bellwether = await startBellwether({
    config,
    port,
    logLevel,
    reloadToken: process.env.BELLWETHER_RELOAD_TOKEN || undefined,
    access: envAccess.access,
    maxConnections: envAccess.maxConnections,
  });
  process.on('SIGHUP', () => {
    bellwether.logger.info('SIGHUP: reloading the config');
    void bellwether.reload();
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      bellwether.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    bellwether.logger.info({ signal }, 'signal received');
    void bellwether.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`bellwether: ${err.message}\n`);
    process.exitCode = 1;
  },
);
