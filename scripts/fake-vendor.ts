import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { FAULT_ROUTES, startFakeVendor } from '../tests/support/fake-vendor.js';

/**
 * Run the fake AI vendor as a process, for the demo and for end-to-end tests of the built
 * CLI. Faults are set over HTTP: POST /__fault {"route":"openai","fault":{"status":503}}
 * (route: one of FAULT_ROUTES, printed at start; fault null clears it), DELETE /__fault
 * clears all. Flags: --port (default 9478), --host, --openai-key, --anthropic-key, --anonymous.
 */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.FAKE_VENDOR_PORT ?? '9478' },
      host: { type: 'string', default: '127.0.0.1' },
      'openai-key': { type: 'string' },
      'anthropic-key': { type: 'string' },
      anonymous: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be an integer 0-65535, got ${values.port}`);
  }
  const vendor = await startFakeVendor({
    port,
    host: values.host,
    openaiKey: values['openai-key'],
    anthropicKey: values['anthropic-key'],
    anonymous: values.anonymous,
  });
  process.stdout.write(`${vendor.url}\n`);
  process.stderr.write(
    `fault routes: ${FAULT_ROUTES.join(', ')}\ne.g. curl -XPOST ${vendor.url}/__fault -d '{"route":"anthropic","fault":{"status":529}}'\n`,
  );

  const shutdown = (): void => {
    vendor.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

// Started directly (not imported): run, and fail loudly on a bad flag or a busy port.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`fake-vendor: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
