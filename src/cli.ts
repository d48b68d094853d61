#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { build, loadOrReport, readVersion, startBellwether } from './bellwether.js';
import { runReport } from './cli-report.js';
import { DEFAULT_POLICY } from './evaluate/evaluate.js';
import { resultVerdict } from './evaluate/verdict.js';
import { accessFromEnv } from './http/access.js';
import { type LogFormat, logFormatFrom, prettyDestination } from './log.js';
import type { DependencySnapshot } from './monitor.js';
import { counted } from './text.js';
import { configWarnings } from './warnings.js';

/** Exit statuses, one meaning each (documented in the README and `bellwether help`). */
const EXIT = {
  ok: 0,
  /** check: a dependency is down, or a consumer has no usable dependency, not only for want of our credentials. */
  down: 1,
  /** validate: the config has errors (the answer to "is it valid?"). */
  invalid: 1,
  usage: 2,
  /** run, check: the config has errors; nothing started. */
  config: 3,
  /** check: our own credentials are rejected or missing, and nothing is down. */
  credentials: 4,
  /** A bug: an error nothing above expected (sysexits EX_SOFTWARE). */
  internal: 70,
} as const;

const COMMANDS = ['run', 'check', 'validate', 'help'] as const;
type Command = (typeof COMMANDS)[number];

const COMMON_OPTIONS = `  -c, --config FILE   config file (env BELLWETHER_CONFIG; default config/bellwether.yaml)
      --log-level L   trace|debug|info|warn|error (env LOG_LEVEL; default info, warn for check)
  -h, --help          this help`;

const HELP: Record<Command, string> = {
  run: `Usage: bellwether run [--config FILE] [--port N] [--log-level L]

Probes every dependency on its schedule and serves /metrics, /healthz, /readyz, /api/v1/*
and the status page. SIGHUP, or POST /-/reload with BELLWETHER_RELOAD_TOKEN, reloads the
config; SIGTERM and SIGINT stop it cleanly. LOG_FORMAT=pretty prints readable logs.

Options:
${COMMON_OPTIONS}
  -p, --port N        listen port (env PORT; default from the config, 9477)

Exit status: 0 stopped by a signal, 2 usage error, 3 configuration error.
`,
  check: `Usage: bellwether check [--config FILE] [--json]

One round of every dependency's probes, then a table of dependencies and one of consumers
with the dependency each should call. Made to gate a deploy or run from cron.

Options:
${COMMON_OPTIONS}
      --json          one JSON document on stdout instead of the tables

Exit status:
  0  every dependency answers and every consumer has a usable dependency
  1  a dependency is down, or a consumer has no usable dependency (not only
     for want of our credentials)
  2  usage error
  3  configuration error
  4  our own credentials are rejected or missing (and nothing is down)
`,
  validate: `Usage: bellwether validate [--config FILE]

Checks the config file and prints every error as file:line:col: path: message, then
warnings (unset key variables and what follows from them). Probes nothing; prints no
secret.

Options:
${COMMON_OPTIONS}

Exit status: 0 valid (warnings or not), 1 invalid, 2 usage error.
`,
  help: `Usage: bellwether help [command]

Prints the help of a command, or the list of commands.
`,
};

const USAGE = `Usage: bellwether <command> [options]

Commands:
  run        probe on schedule, serve /metrics, /api/v1/* and the status page (default)
  check      one round of probes; dependencies, consumers and their routes; exit status for deploy gates
  validate   check the config file: every error with file:line:col, then warnings
  help       bellwether help <command> for its options and exit statuses
  report     monthly availability per dependency and vendor (bellwether help report)

Options:
${COMMON_OPTIONS}
  -v, --version       print the version

Run from a clone: npm ci && npm run build, then npx bellwether <command>.
`;

/** Options each command accepts, beyond the common ones. */
const OWN_OPTIONS: Record<Command, string[]> = {
  run: ['port'],
  check: ['json'],
  validate: [],
  help: [],
};

class UsageError extends Error {}

/** pino's levels, as --log-level and LOG_LEVEL accept them. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

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

/** One dependency after a `check` round, as the table and --json show it. */
function checkFacts(s: DependencySnapshot) {
  const results = s.lastRound?.results ?? [];
  const run = results.filter((r) => resultVerdict(r) !== 'skipped');
  const failed = run.find((r) => !r.ok);
  return {
    id: s.config.id,
    vendor: s.config.vendor,
    state: s.evaluation.state,
    latencyMs: run.length ? Math.round(run.reduce((sum, r) => sum + r.latencyMs, 0)) : null,
    ttftMs: ((ms) => (ms === undefined ? null : Math.round(ms)))(
      results.find((r) => r.ttftMs !== undefined)?.ttftMs,
    ),
    errorClass: failed?.errorClass ?? null,
    credentialProblem: s.evaluation.credentialProblem ?? null,
    reasons: s.evaluation.reasons,
  };
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        json: { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    // Node's message goes on about '--'; its first sentence is the news.
    throw new UsageError((err as Error).message.split('. ')[0] ?? 'bad arguments');
  }
}

async function main(argv: string[]): Promise<number> {
  // `report` parses its own options and prints its own help (src/cli-report.ts).
  if (argv[0] === 'report' || (argv[0] === 'help' && argv[1] === 'report' && argv.length === 2)) {
    const write = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text);
    const io = { stdout: write(process.stdout), stderr: write(process.stderr) };
    const args = argv[0] === 'help' ? ['--help'] : argv.slice(1);
    return runReport(args, { ...io, env: process.env, now: Date.now() });
  }
  const { values, positionals } = parse(argv);
  if (values.version) {
    process.stdout.write(`${readVersion()}\n`);
    return EXIT.ok;
  }
  const command = (positionals[0] ?? 'run') as Command;
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${positionals[0]}"`);
  if (command === 'help') {
    const topic = positionals[1];
    if (positionals.length > 2 || (topic !== undefined && !COMMANDS.includes(topic as Command))) {
      throw new UsageError(`no help for "${positionals.slice(1).join(' ')}"`);
    }
    process.stdout.write(topic === undefined ? USAGE : HELP[topic as Command]);
    return EXIT.ok;
  }
  if (values.help) {
    process.stdout.write(positionals[0] === undefined ? USAGE : HELP[command]);
    return EXIT.ok;
  }
  if (positionals.length > 1) {
    throw new UsageError(`unexpected argument "${positionals[1]}" after ${command}`);
  }
  for (const option of ['port', 'json'] as const) {
    if (values[option] !== undefined && !OWN_OPTIONS[command].includes(option)) {
      throw new UsageError(`--${option} is not an option of ${command}`);
    }
  }
  const configPath = values.config ?? process.env.BELLWETHER_CONFIG ?? 'config/bellwether.yaml';
  const portText = values.port ?? (command === 'run' ? process.env.PORT : undefined);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${portText}"`);
  }
  let logFormat: LogFormat;
  try {
    logFormat = logFormatFrom(process.env.LOG_FORMAT);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const logLevel = values['log-level'] ?? process.env.LOG_LEVEL;
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(
      `--log-level (or LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel.slice(0, 40)}"`,
    );
  }
  const report = (line: string) => process.stderr.write(`${line}\n`);
  const config = loadOrReport(configPath, process.env, report);
  if (!config) return command === 'validate' ? EXIT.invalid : EXIT.config;

  if (command === 'validate') {
    const warnings = configWarnings(config);
    for (const w of warnings) report(`${configPath}: warning: ${w}`);
    process.stdout.write(
      `${configPath}: ok (${counted(config.dependencies.length, 'dependency', 'dependencies')}, ${counted(config.consumers.length, 'consumer', 'consumers')}${warnings.length ? `, ${counted(warnings.length, 'warning', 'warnings')}` : ''})\n`,
    );
    return EXIT.ok;
  }

  if (command === 'check') {
    const destination = logFormat === 'pretty' ? prettyDestination(2) : process.stderr;
    return check(config, logLevel, destination, values.json === true);
  }

  const envAccess = accessFromEnv(process.env);
  if (!envAccess.ok) {
    for (const e of envAccess.errors) report(e);
    report('Bellwether did not start: access settings would leave the API open or unusable.');
    return EXIT.config;
  }
  const bellwether = await startBellwether({
    config,
    port,
    logLevel,
    logDestination:
      logFormat === 'pretty' ? prettyDestination(1, process.stdout.isTTY === true) : undefined,
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

/** `bellwether check`: one round, both tables (or --json), and the exit status that gates. */
async function check(
  config: NonNullable<ReturnType<typeof loadOrReport>>,
  logLevel: string | undefined,
  logDestination: NonNullable<Parameters<typeof build>[0]['logDestination']>,
  json: boolean,
): Promise<number> {
  // One round decides: a failed round is down here, there is no second round to wait for.
  const parts = build({
    config,
    logLevel: logLevel ?? 'warn',
    logDestination,
    storePath: ':memory:',
    policy: { ...DEFAULT_POLICY, downAfterRounds: 1 },
  });
  await parts.monitor.probeAll();
  const dependencies = parts.monitor.dependencies().map(checkFacts);
  const consumers = config.consumers.map((c) => {
    const e = parts.monitor.consumer(c.id);
    return {
      id: c.id,
      state: e?.state ?? 'down',
      route: e?.route ?? null,
      fallback: e?.route !== undefined && e.route !== null && e.route !== c.uses[0],
      reason: e?.reason ?? 'not evaluated',
      chain: e?.chain ?? [],
    };
  });
  await parts.monitor.stop(0);
  parts.http.close();
  parts.store.close();

  const down = dependencies.filter((d) => d.state === 'down');
  // A consumer stranded only by our credentials is a credentials problem, not an outage.
  const credentialIds = new Set(dependencies.filter((d) => d.credentialProblem).map((d) => d.id));
  const stranded = consumers.filter((c) => c.state === 'down');
  const strandedByVendor = stranded.filter((c) =>
    c.chain.some((l) => !credentialIds.has(l.dependency)),
  );
  const code =
    down.length > 0 || strandedByVendor.length > 0
      ? EXIT.down
      : credentialIds.size > 0
        ? EXIT.credentials
        : EXIT.ok;

  if (json) {
    process.stdout.write(
      `${JSON.stringify({ exitCode: code, dependencies, consumers }, null, 2)}\n`,
    );
    return code;
  }
  const dash = (v: number | string | null, unit = '') => (v === null ? '-' : `${v}${unit}`);
  const depRows = dependencies.map((d) => [
    d.id,
    d.vendor,
    d.state,
    dash(d.latencyMs, ' ms'),
    dash(d.ttftMs, ' ms'),
    dash(d.errorClass),
    d.reasons.join('; ') || 'ok',
  ]);
  process.stdout.write(
    `${table([['DEPENDENCY', 'VENDOR', 'STATE', 'LATENCY', 'TTFT', 'ERROR', 'DETAIL'], ...depRows])}\n`,
  );
  if (consumers.length > 0) {
    const rows = consumers.map((c) => [
      c.id,
      c.state,
      c.route === null ? '-' : `${c.route}${c.fallback ? ' (fallback)' : ''}`,
      c.reason,
    ]);
    process.stdout.write(`\n${table([['CONSUMER', 'STATE', 'ROUTE', 'REASON'], ...rows])}\n`);
  }
  const ids = (list: { id: string }[]) => list.map((x) => x.id).join(', ');
  if (down.length > 0) process.stderr.write(`down: ${ids(down)}\n`);
  if (stranded.length > 0) process.stderr.write(`no usable dependency: ${ids(stranded)}\n`);
  if (credentialIds.size > 0) {
    process.stderr.write(`our credentials rejected or missing: ${[...credentialIds].join(', ')}\n`);
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: Error) => {
    if (err instanceof UsageError) {
      process.stderr.write(`bellwether: ${err.message}\nRun "bellwether help" for usage.\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(`bellwether: ${err.message}\n`);
    process.exitCode = EXIT.internal;
  },
);
