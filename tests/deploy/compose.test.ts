/**
 * docker-compose.yml without Docker: every bind-mounted file exists, every service a service
 * or a mounted config names exists, and every port used to reach a service is the port it
 * listens on. The configs are read through the mounts, as the containers would see them.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseDockerfile } from './support/dockerfile.js';
import { runtimePlan } from './support/runtime-plan.js';

const REPO = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');

// biome-ignore lint/suspicious/noExplicitAny: compose and tool configs are checked field by field
type Any = any;

interface Mount {
  type: 'bind' | 'volume';
  source: string;
  target: string;
  readOnly: boolean;
}

interface Service {
  name: string;
  raw: Any;
  mounts: Mount[];
  env: Record<string, string | undefined>;
  command: string[];
  /** Container ports published to the host. */
  published: number[];
  dependsOn: string[];
}

function mountsOf(raw: Any): Mount[] {
  return (raw.volumes ?? []).map((v: Any): Mount => {
    if (typeof v !== 'string') {
      return { type: v.type, source: v.source, target: v.target, readOnly: v.read_only === true };
    }
    const [source = '', target = '', mode = ''] = v.split(':');
    const bind = /^(\.|\/|~)/.test(source);
    return {
      type: bind ? 'bind' : 'volume',
      source,
      target,
      readOnly: mode.split(',').includes('ro'),
    };
  });
}

function envOf(raw: Any): Record<string, string | undefined> {
  const env = raw.environment ?? {};
  if (!Array.isArray(env)) return { ...env };
  return Object.fromEntries(
    env.map((e: string) => {
      const eq = e.indexOf('=');
      return eq < 0 ? [e, undefined] : [e.slice(0, eq), e.slice(eq + 1)];
    }),
  );
}

function publishedOf(raw: Any): number[] {
  return (raw.ports ?? []).map((p: Any) => {
    if (typeof p === 'object') return Number(p.target);
    const container = String(p).split('/')[0]?.split(':').at(-1);
    return Number(container);
  });
}

function loadCompose(): { services: Map<string, Service>; volumes: string[] } {
  const doc = parse(read('docker-compose.yml')) as Any;
  const services = new Map<string, Service>();
  for (const [name, raw] of Object.entries<Any>(doc.services ?? {})) {
    services.set(name, {
      name,
      raw,
      mounts: mountsOf(raw),
      env: envOf(raw),
      command: Array.isArray(raw.command) ? raw.command : String(raw.command ?? '').split(/\s+/),
      published: publishedOf(raw),
      dependsOn: Array.isArray(raw.depends_on) ? raw.depends_on : Object.keys(raw.depends_on ?? {}),
    });
  }
  return { services, volumes: Object.keys(doc.volumes ?? {}) };
}

function flag(service: Service, name: string): string | undefined {
  const prefix = `--${name}=`;
  return service.command.find((c) => c.startsWith(prefix))?.slice(prefix.length);
}

function kindOf(service: Service): 'bellwether' | 'prometheus' | 'alertmanager' | 'grafana' {
  const image = String(service.raw.image ?? '');
  if (service.raw.build !== undefined) return 'bellwether';
  if (image.startsWith('prom/prometheus:')) return 'prometheus';
  if (image.startsWith('prom/alertmanager:')) return 'alertmanager';
  if (image.startsWith('grafana/grafana:')) return 'grafana';
  throw new Error(`${service.name}: unknown image ${image}`);
}

/** The port a service's process listens on inside its container. */
function listenPort(service: Service): number {
  const fromAddress = (address: string | undefined, fallback: number) =>
    address === undefined ? fallback : Number(address.split(':').at(-1));
  switch (kindOf(service)) {
    case 'bellwether': {
      if (service.env.PORT !== undefined) return Number(service.env.PORT);
      const config = parse(read('config/bellwether.yaml')) as { server?: { port?: number } };
      return config.server?.port ?? 9477;
    }
    case 'prometheus':
      return fromAddress(flag(service, 'web.listen-address'), 9090);
    case 'alertmanager':
      return fromAddress(flag(service, 'web.listen-address'), 9093);
    case 'grafana':
      return Number(service.env.GF_SERVER_HTTP_PORT ?? 3000);
  }
}

/** Where a path inside a container comes from in the repository, through its bind mounts. */
function hostPath(service: Service, containerPath: string): string | undefined {
  const mount = service.mounts
    .filter((m) => m.type === 'bind')
    .filter((m) => containerPath === m.target || containerPath.startsWith(`${m.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
  if (!mount) return undefined;
  return posix.join(posix.normalize(mount.source), posix.relative(mount.target, containerPath));
}

function serviceOfKind(services: Map<string, Service>, kind: ReturnType<typeof kindOf>): Service {
  const found = [...services.values()].filter((s) => kindOf(s) === kind);
  expect(
    found.map((s) => s.name),
    kind,
  ).toHaveLength(1);
  return found[0] as Service;
}

function readThrough(service: Service, containerPath: string): Any {
  const host = hostPath(service, containerPath);
  expect(host, `${service.name}: ${containerPath} is not mounted`).toBeDefined();
  return parse(read(host ?? ''));
}

/** Checks `host:port` against the services: the host is a service, the port its listen port. */
function expectReachable(services: Map<string, Service>, from: Service, hostPort: string) {
  const match = /^(?:https?:\/\/)?([^:/]+):(\d+)/.exec(hostPort);
  expect(match, hostPort).not.toBeNull();
  const [, host = '', port = ''] = match ?? [];
  const target = host === 'localhost' ? from : services.get(host);
  expect(target, `${from.name} reaches "${host}", which is no service`).toBeDefined();
  if (target) expect(Number(port), `${hostPort} (${target.name})`).toBe(listenPort(target));
}

function globToRegex(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
}

describe('docker-compose.yml', () => {
  const { services, volumes } = loadCompose();
  const bellwether = serviceOfKind(services, 'bellwether');
  const prometheus = serviceOfKind(services, 'prometheus');
  const alertmanager = serviceOfKind(services, 'alertmanager');
  const grafana = serviceOfKind(services, 'grafana');

  it('builds Bellwether from this repository and tags it with the package version', () => {
    const pkg = JSON.parse(read('package.json')) as { version: string };
    expect(bellwether.raw.build).toBe('.');
    expect(existsSync(join(REPO, 'Dockerfile'))).toBe(true);
    expect(bellwether.raw.image).toBe(`bellwether:${pkg.version}`);
  });

  it.each([...services.keys()])(
    '%s: every bind-mounted path exists, every volume is declared',
    (name) => {
      const service = services.get(name) as Service;
      const missing = service.mounts
        .filter((m) => m.type === 'bind' && !existsSync(join(REPO, m.source)))
        .map((m) => m.source);
      expect(missing, 'mounted but not in the repository').toEqual([]);
      for (const m of service.mounts.filter((m) => m.type === 'volume')) {
        expect(volumes, m.source).toContain(m.source);
      }
      for (const m of service.mounts.filter((m) => m.type === 'bind')) {
        expect(m.readOnly, `${m.source} is mounted read-only`).toBe(true);
      }
    },
  );

  it.each([...services.keys()])('%s: depends only on services that exist', (name) => {
    for (const dep of (services.get(name) as Service).dependsOn)
      expect([...services.keys()]).toContain(dep);
  });

  it.each([...services.keys()])('%s: publishes the port it listens on', (name) => {
    const service = services.get(name) as Service;
    expect(service.published).toEqual([listenPort(service)]);
    for (const port of service.raw.ports ?? []) expect(String(port)).toMatch(/^127\.0\.0\.1:/);
  });

  it('runs Bellwether as the image does: read-only root, data volume where the image writes', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const plan = runtimePlan(parseDockerfile(read('Dockerfile')), pkg.scripts.build ?? '');
    expect(plan.exposedPorts).toEqual([listenPort(bellwether)]);
    expect(bellwether.raw.read_only).toBe(true);
    const data = bellwether.mounts.find((m) => m.target === plan.volumes[0]);
    expect(data?.type).toBe('volume');
    expect(data?.readOnly).toBe(false);
    // The config the image command names is the repository's, through the mount.
    const configArg = plan.command[plan.command.indexOf('--config') + 1] ?? '';
    const host = hostPath(bellwether, posix.resolve(plan.workdir, configArg));
    expect(host).toBe('config/bellwether.yaml');
    const config = read('config/bellwether.yaml');
    for (const [, name] of config.matchAll(/^[^#\n]*\$\{([A-Z_][A-Z0-9_]*)\}/gm)) {
      expect(Object.keys(bellwether.env), `${name} reaches the container`).toContain(name);
    }
  });

  describe('Prometheus', () => {
    const configPath = flag(prometheus, 'config.file') ?? '/etc/prometheus/prometheus.yml';
    const config = readThrough(prometheus, configPath);

    it('scrapes Bellwether in the job the shipped rules select, by service name and port', () => {
      const jobs = new Map<string, Any>(config.scrape_configs.map((s: Any) => [s.job_name, s]));
      const rules = readdirSync(join(REPO, 'config/prometheus'))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => read(`config/prometheus/${f}`))
        .join('\n');
      const ruleJobs = new Set([...rules.matchAll(/job="([^"]+)"/g)].map((m) => m[1]));
      for (const job of ruleJobs) expect([...jobs.keys()], `rules use job="${job}"`).toContain(job);
      const targets = jobs.get('bellwether').static_configs.flatMap((c: Any) => c.targets);
      expect(targets).toEqual([`${bellwether.name}:${listenPort(bellwether)}`]);
      for (const job of jobs.values()) {
        for (const target of job.static_configs.flatMap((c: Any) => c.targets)) {
          expectReachable(services, prometheus, target);
        }
      }
    });

    it('sends alerts to the Alertmanager service', () => {
      const targets = config.alerting.alertmanagers.flatMap((a: Any) =>
        a.static_configs.flatMap((c: Any) => c.targets),
      );
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) {
        expectReachable(services, prometheus, target);
        expect(target.split(':')[0]).toBe(alertmanager.name);
      }
    });

    it('loads every shipped rule file, and only rule files', () => {
      const loaded = config.rule_files.flatMap((glob: string) => {
        const host = hostPath(prometheus, glob);
        expect(host, `${glob} is not mounted`).toBeDefined();
        const dir = posix.dirname(host ?? '');
        const pattern = globToRegex(posix.basename(host ?? ''));
        return readdirSync(join(REPO, dir))
          .filter((f) => pattern.test(f) && statSync(join(REPO, dir, f)).isFile())
          .map((f) => posix.join(dir, f));
      });
      const shipped = readdirSync(join(REPO, 'config/prometheus'))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => `config/prometheus/${f}`);
      expect(loaded.sort()).toEqual(shipped.sort());
      for (const file of loaded) expect(Array.isArray(parse(read(file))?.groups), file).toBe(true);
    });

    const promtool = spawnSync('promtool', ['--version']).status === 0;
    it.skipIf(!promtool)('passes promtool check config with the rules as mounted', () => {
      const dir = mkdtempSync(join(tmpdir(), 'bellwether-compose-'));
      try {
        const local = {
          ...config,
          rule_files: config.rule_files.map((g: string) =>
            join(REPO, hostPath(prometheus, g) ?? ''),
          ),
        };
        const file = join(dir, 'prometheus.yml');
        writeFileSync(file, stringify(local));
        const res = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
        expect(res.status, res.stdout + res.stderr).toBe(0);
        expect(res.stdout).toMatch(/SUCCESS: \d+ rules found/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('Alertmanager', () => {
    const configPath = flag(alertmanager, 'config.file') ?? '/etc/alertmanager/alertmanager.yml';

    it('reads the example config through its mount', () => {
      expect(hostPath(alertmanager, configPath)).toBe('config/alertmanager/alertmanager.yml');
      expect(readThrough(alertmanager, configPath).route).toBeDefined();
    });

    it('has every file the config names (keys, templates) under one of its mounts', () => {
      const text = readFileSync(join(REPO, hostPath(alertmanager, configPath) ?? ''), 'utf8');
      const config = parse(text);
      const files: string[] = [];
      const walk = (value: unknown, key = '') => {
        if (Array.isArray(value)) {
          if (key === 'templates') files.push(...value.map(String));
          for (const v of value) walk(v);
        } else if (typeof value === 'object' && value !== null) {
          for (const [k, v] of Object.entries(value)) walk(v, k);
        } else if (key.endsWith('_file') && typeof value === 'string') files.push(value);
      };
      walk(config);
      for (const file of files) {
        const host = hostPath(alertmanager, file);
        expect(host, `${file} is outside every mount`).toBeDefined();
        const dir = posix.dirname(host ?? '');
        expect(existsSync(join(REPO, dir)), `${dir} exists`).toBe(true);
      }
    });
  });

  describe('Grafana', () => {
    const provisioning = '/etc/grafana/provisioning';
    const provisioned = (kind: string): Any[] => {
      const host = hostPath(grafana, `${provisioning}/${kind}`);
      expect(host, `${provisioning}/${kind} is not mounted`).toBeDefined();
      return readdirSync(join(REPO, host ?? ''))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => parse(read(posix.join(host ?? '', f))));
    };
    const expand = (text: string) =>
      text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => {
        const value = grafana.env[name];
        expect(value, `Grafana's environment sets ${name}`).toBeDefined();
        return value ?? '';
      });

    it('has a Prometheus data source that points at the Prometheus service', () => {
      const sources = provisioned('datasources').flatMap((d) => d.datasources ?? []);
      const prom = sources.filter((s: Any) => s.type === 'prometheus');
      expect(prom.length).toBeGreaterThan(0);
      for (const source of prom) {
        const url = expand(String(source.url));
        expectReachable(services, grafana, url);
        expect(new URL(url).hostname).toBe(prometheus.name);
      }
      expect(grafana.dependsOn).toContain(prometheus.name);
    });

    it('finds the dashboards where the provider looks, and each uses a provisioned source', () => {
      const providers = provisioned('dashboards').flatMap((d) => d.providers ?? []);
      expect(providers.length).toBeGreaterThan(0);
      const sources = provisioned('datasources').flatMap((d) => d.datasources ?? []);
      const known = new Set(sources.flatMap((s: Any) => [s.uid, s.name, s.type]).filter(Boolean));
      for (const provider of providers) {
        const host = hostPath(grafana, provider.options.path);
        expect(host, `${provider.options.path} is not mounted`).toBeDefined();
        const dashboards = readdirSync(join(REPO, host ?? '')).filter((f) => f.endsWith('.json'));
        expect(dashboards.length, host).toBeGreaterThan(0);
        for (const file of dashboards) {
          const text = read(posix.join(host ?? '', file));
          const refs = [
            ...text.matchAll(/"datasource":\s*\{\s*"type":\s*"([^"]+)",\s*"uid":\s*"([^"]+)"/g),
          ];
          for (const [, type = '', uid = ''] of refs) {
            if (type === 'grafana' || type === 'datasource') continue;
            // A template variable picks any source of the type; otherwise the uid must exist.
            expect(known.has(type), `${file}: ${type}`).toBe(true);
            if (!uid.startsWith('$')) expect(known.has(uid), `${file}: uid ${uid}`).toBe(true);
          }
        }
      }
      const home = grafana.env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
      if (home !== undefined) {
        expect(existsSync(join(REPO, hostPath(grafana, home) ?? '/nonexistent')), home).toBe(true);
      }
    });
  });
});
