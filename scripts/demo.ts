import { createInterface } from 'node:readline';
import { loadOrReport, startBellwether } from '../src/bellwether.js';
import { DEFAULT_MODELS, startFakeVendor } from '../tests/support/fake-vendor.js';

/**
 * `npm run demo`: a local fake vendor on 127.0.0.1:9478 and Bellwether on it, so a newcomer
 * sees live metrics and status with no keys and no internet. Type commands to break the
 * vendor and watch the breaker open: stop, start, fault <status>, slow <ms>, clear, quit.
 */
async function demo(): Promise<void> {
  const vendorPort = Number(process.env.DEMO_VENDOR_PORT ?? 9478);
  const vendor = await startFakeVendor({
    port: vendorPort,
    models: [...DEFAULT_MODELS, 'claude-haiku-4-5', 'llama-3.1-8b'],
    openaiKey: process.env.DEMO_OPENAI_KEY ?? 'sk-demo-openai',
    anthropicKey: process.env.DEMO_ANTHROPIC_KEY ?? 'sk-ant-demo',
    anonymous: true,
  });
  const env = { ...process.env, DEMO_VENDOR_URL: vendor.url };
  const config = loadOrReport('config/demo.yaml', env, (line) => process.stderr.write(`${line}\n`));
  if (!config) {
    await vendor.stop();
    process.exit(2);
  }
  const port = process.env.PORT === undefined ? undefined : Number(process.env.PORT);
  const bellwether = await startBellwether({ config, port, logLevel: process.env.LOG_LEVEL });
  const base = `http://localhost:${bellwether.port}`;
  process.stdout.write(
    [
      '',
      `Fake vendor: ${vendor.url}`,
      `Status page: ${base}/`,
      `Status API:  ${base}/api/v1/status`,
      `Metrics:     ${base}/metrics`,
      '',
      'Commands: stop | start | fault <status, e.g. 529> | slow <ms> | clear | quit',
      `Or from another shell: curl -XPOST ${vendor.url}/__fault -d '{"route":"*","fault":{"status":503}}'`,
      '',
    ].join('\n'),
  );

  const shutdown = async (code: number) => {
    await bellwether.stop();
    await vendor.stop().catch(() => undefined);
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  if (!process.stdin.isTTY) return;
  const rl = createInterface({ input: process.stdin });
  rl.on('line', async (line) => {
    const [command, arg] = line.trim().split(/\s+/);
    switch (command) {
      case 'stop':
        await vendor.stop();
        process.stdout.write('fake vendor stopped: connections now refused\n');
        break;
      case 'start':
        await vendor.start();
        process.stdout.write('fake vendor started again\n');
        break;
      case 'fault':
        vendor.setFault('*', { status: Number(arg ?? 503) });
        process.stdout.write(`every route now answers ${arg ?? 503}\n`);
        break;
      case 'slow':
        vendor.setFault('*', { headersDelayMs: Number(arg ?? 5000) });
        process.stdout.write(`every answer now waits ${arg ?? 5000} ms\n`);
        break;
      case 'clear':
        vendor.clearFaults();
        process.stdout.write('faults cleared\n');
        break;
      case 'quit':
        rl.close();
        await shutdown(0);
        break;
      default:
        if (command)
          process.stdout.write(
            'commands: stop | start | fault <status> | slow <ms> | clear | quit\n',
          );
    }
  });
}

demo().catch((err: Error) => {
  process.stderr.write(`demo: ${err.message}\n`);
  process.exit(1);
});
