import { createInterface } from 'node:readline';
import { loadOrReport, startBellwether } from '../src/bellwether.js';
import {
  DEFAULT_MODELS,
  FAULT_ROUTES,
  type FaultRoute,
  startFakeVendor,
  unknownFaultRoute,
} from '../tests/support/fake-vendor.js';

const COMMANDS = [
  '  fault <status> [route]   answer with an error status, e.g. fault 529 anthropic',
  '  slow <ms> [route]        wait before answering, e.g. slow 5000 openai:models',
  '  serve <model> [route]    answers name another model: a silent model change, e.g. serve gpt-4o-mini-2025-01-31 chat',
  '  clear [route]            remove one fault, or all of them',
  '  stop | start             refuse connections / listen again',
  '  routes | quit',
  `Routes (default *): ${FAULT_ROUTES.join(', ')}`,
  "  openai and anthropic are every request in that vendor's shape (demo-compatible is",
  '  OpenAI-shaped, so openai covers it too); models, chat, messages and health one route;',
  "  openai:models and anthropic:models one vendor's model list.",
].join('\n');

/**
 * `npm run demo`: a local fake vendor on 127.0.0.1:9478 and Bellwether on it, so a newcomer
 * sees live metrics and status with no keys and no internet. Type commands (see COMMANDS) to
 * break one vendor, one route or everything and watch breakers open and consumers fall back.
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
      'Break a vendor and watch phishing-triage fall back to demo-anthropic. Type:',
      COMMANDS,
      `Or from another shell: curl -XPOST ${vendor.url}/__fault -d '{"route":"openai","fault":{"status":503}}'`,
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

  // Commands come from a terminal or a pipe; a closed stdin leaves the demo running.
  const rl = createInterface({ input: process.stdin });
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const routeOf = (arg: string | undefined): FaultRoute | undefined => {
    const route = (arg ?? '*') as FaultRoute;
    if (FAULT_ROUTES.includes(route)) return route;
    say(unknownFaultRoute(arg));
    return undefined;
  };
  const where = (route: FaultRoute) => (route === '*' ? 'every route' : route);
  rl.on('line', async (line) => {
    const [command, arg, routeArg] = line.trim().split(/\s+/);
    switch (command) {
      case 'stop':
        await vendor.stop();
        say('fake vendor stopped: connections now refused');
        break;
      case 'start':
        await vendor.start();
        say('fake vendor started again');
        break;
      case 'fault': {
        const route = routeOf(routeArg);
        const status = Number(arg ?? 503);
        if (!route) break;
        if (!Number.isInteger(status) || status < 100 || status > 599) {
          say(`fault needs an HTTP status from 100 to 599, got "${arg}"`);
          break;
        }
        vendor.setFault(route, { status });
        say(`${where(route)} now answers ${status}`);
        break;
      }
      case 'slow': {
        const route = routeOf(routeArg);
        const ms = Number(arg ?? 5000);
        if (!route) break;
        if (!Number.isInteger(ms) || ms < 0) {
          say(`slow needs milliseconds, got "${arg}"`);
          break;
        }
        vendor.setFault(route, { headersDelayMs: ms });
        say(`${where(route)} now waits ${ms} ms before answering`);
        break;
      }
      case 'serve': {
        const route = routeOf(routeArg);
        if (!route) break;
        // Typed text becomes a label value: keep it short and printable.
        if (arg === undefined || !/^[\w.:/-]{1,100}$/.test(arg.slice(0, 101))) {
          say(
            `serve needs a model name (letters, digits, . _ : / -), got "${(arg ?? '').slice(0, 100)}"`,
          );
          break;
        }
        vendor.setFault(route, { servedModel: arg });
        say(`${where(route)} now says ${arg} served it`);
        break;
      }
      case 'clear': {
        if (arg === undefined) {
          vendor.clearFaults();
          say('faults cleared');
          break;
        }
        const route = routeOf(arg);
        if (!route) break;
        vendor.setFault(route, null);
        say(`fault on ${where(route)} cleared`);
        break;
      }
      case 'routes':
        say(`fault routes: ${FAULT_ROUTES.join(', ')}`);
        break;
      case 'quit':
        rl.close();
        await shutdown(0);
        break;
      default:
        if (command) say(`commands:\n${COMMANDS}`);
    }
  });
}

demo().catch((err: Error) => {
  process.stderr.write(`demo: ${err.message}\n`);
  process.exit(1);
});
