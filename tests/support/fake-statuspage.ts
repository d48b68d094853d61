import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Which summary.json dialect the fake speaks. */
export type FakeStatusFlavour = 'statuspage' | 'incident.io';

/** Statuspage component statuses the fake can be told (translated for incident.io). */
export type FakeComponentStatus =
  | 'operational'
  | 'degraded_performance'
  | 'partial_outage'
  | 'major_outage'
  | 'under_maintenance';

export interface FakeIncidentInput {
  name: string;
  /** investigating (default), identified, monitoring. */
  status?: string;
  impact?: 'none' | 'minor' | 'major' | 'critical';
  /** Component names it affects. */
  components?: string[];
  /** Epoch ms (default: now). */
  startedAt?: number;
}

export interface FakeMaintenanceInput {
  name: string;
  /** Default in_progress. */
  status?: 'scheduled' | 'in_progress' | 'verifying';
  components?: string[];
  /** Epoch ms (default now and now + 1 h). */
  scheduledFor?: number;
  scheduledUntil?: number;
}

/** A misbehaviour for every route; fields combine as listed. */
export interface FakeStatusFault {
  /** Answer with this status and a short text body. */
  status?: number;
  /** 200 with a truncated body: broken JSON on .json, broken XML on feeds. */
  malformed?: boolean;
  /** Never answer (the socket stays open until stop()). */
  hang?: boolean;
  /** Verbatim body (with `contentType`), 200 unless `status` is set. */
  body?: string;
  contentType?: string;
}

/** One request the fake received. */
export interface FakeStatusRequest {
  method: string;
  path: string;
  at: number;
}

export interface FakeStatusPage {
  /** http://127.0.0.1:PORT (a bare page URL: the poller adds /api/v2/summary.json). */
  url: string;
  summaryUrl: string;
  /** Statuspage-style /history.atom. */
  atomUrl: string;
  /** Statuspage-style /history.rss. */
  rssUrl: string;
  /** An AWS/Azure-like RSS path without extension, served as text/xml. */
  feedUrl: string;
  setFlavour(flavour: FakeStatusFlavour): void;
  /** Replace the component list (name → status); groups are not modelled. */
  setComponents(components: Record<string, FakeComponentStatus>): void;
  setComponentStatus(name: string, status: FakeComponentStatus): void;
  /** Declare an incident; returns its id. */
  declareIncident(input: FakeIncidentInput): string;
  /** Add an update to an active incident (e.g. identified, monitoring). */
  updateIncident(id: string, status: string): void;
  /** Resolve one incident, or all active ones: summaries drop it, feeds show "Resolved". */
  resolveIncident(id?: string): void;
  /** Announce or run a maintenance (null ends every maintenance). */
  setMaintenance(input: FakeMaintenanceInput | null): void;
  setFault(fault: FakeStatusFault | null): void;
  requests: FakeStatusRequest[];
  stop(): Promise<void>;
}

interface Update {
  status: string;
  body: string;
  at: number;
}

interface Incident {
  id: string;
  name: string;
  impact: string;
  components: string[];
  startedAt: number;
  /** Newest first. */
  updates: Update[];
  resolved: boolean;
}

interface Maintenance {
  id: string;
  name: string;
  status: string;
  components: string[];
  scheduledFor: number;
  scheduledUntil: number;
}

const DEFAULT_COMPONENTS: Record<string, FakeComponentStatus> = {
  API: 'operational',
  ChatGPT: 'operational',
  Playground: 'operational',
};

const INCIDENT_IO_COMPONENT: Record<FakeComponentStatus, string> = {
  operational: 'operational',
  degraded_performance: 'degraded_performance',
  partial_outage: 'partial_outage',
  major_outage: 'full_outage',
  under_maintenance: 'maintenance_in_progress',
};

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const capital = (s: string): string =>
  s
    .split('_')
    .map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ');

/**
 * A local status page on 127.0.0.1 speaking Atlassian Statuspage's and incident.io's
 * `/api/v2/summary.json`, Statuspage's `/history.atom` and `/history.rss`, and an
 * extension-less RSS feed at `/feed/`, with incidents, maintenance and faults set by tests.
 */
export async function startFakeStatusPage(
  opts: { flavour?: FakeStatusFlavour; now?: () => number } = {},
): Promise<FakeStatusPage> {
  const now = opts.now ?? Date.now;
  let flavour: FakeStatusFlavour = opts.flavour ?? 'statuspage';
  let components = new Map<string, FakeComponentStatus>(Object.entries(DEFAULT_COMPONENTS));
  const incidents: Incident[] = [];
  let maintenance: Maintenance[] = [];
  let fault: FakeStatusFault | null = null;
  let seq = 0;
  const requests: FakeStatusRequest[] = [];
  const sockets = new Set<Socket>();

  const pageId = (): string =>
    flavour === 'incident.io' ? '01HZ8Q3W5Y7K2M4N6P8R0S2T4V' : 'kctbh9vrtdwd';
  const componentId = (name: string): string =>
    `c${Buffer.from(name).toString('hex').slice(0, 11).padEnd(11, '0')}`;
  const componentStatus = (s: FakeComponentStatus): string =>
    flavour === 'incident.io' ? INCIDENT_IO_COMPONENT[s] : s;
  const iso = (ms: number): string => new Date(ms).toISOString();

  const componentJson = (name: string) => ({
    id: componentId(name),
    name,
    status: componentStatus(components.get(name) ?? 'operational'),
    group_id: null,
    group: false,
    only_show_if_degraded: false,
  });

  const indicator = (): string => {
    const active = incidents.filter((i) => !i.resolved);
    const rank = ['none', 'minor', 'major', 'critical'];
    let worst = 0;
    for (const i of active) worst = Math.max(worst, rank.indexOf(i.impact));
    for (const s of components.values()) {
      if (s === 'degraded_performance') worst = Math.max(worst, 1);
      if (s === 'partial_outage') worst = Math.max(worst, 2);
      if (s === 'major_outage') worst = Math.max(worst, 3);
    }
    const running = maintenance.some((m) => m.status !== 'scheduled');
    if (worst === 0 && running) return flavour === 'incident.io' ? 'maintenance' : 'none';
    return rank[worst] ?? 'none';
  };

  const summary = (): unknown => ({
    page: {
      id: pageId(),
      name: 'Fake Vendor',
      url: 'https://status.fake.invalid',
      time_zone: 'Etc/UTC',
      updated_at: iso(now()),
    },
    status: {
      indicator: indicator(),
      description: indicator() === 'none' ? 'All Systems Operational' : 'Some systems affected',
    },
    components: [...components.keys()].map(componentJson),
    incidents: incidents
      .filter((i) => !i.resolved)
      .map((i) => ({
        id: i.id,
        name: i.name,
        status: i.updates[0]?.status ?? 'investigating',
        impact: i.impact,
        created_at: iso(i.startedAt),
        started_at: iso(i.startedAt),
        updated_at: iso(i.updates[0]?.at ?? i.startedAt),
        shortlink: `https://stspg.io/${i.id}`,
        incident_updates: i.updates.map((u) => ({
          status: u.status,
          body: u.body,
          created_at: iso(u.at),
        })),
        components: i.components.map(componentJson),
      })),
    scheduled_maintenances: maintenance.map((m) => ({
      id: m.id,
      name: m.name,
      status:
        flavour === 'incident.io'
          ? m.status === 'scheduled'
            ? 'maintenance_scheduled'
            : 'maintenance_in_progress'
          : m.status,
      impact: 'maintenance',
      scheduled_for: iso(m.scheduledFor),
      scheduled_until: iso(m.scheduledUntil),
      shortlink: `https://stspg.io/${m.id}`,
      components: m.components.map(componentJson),
    })),
  });

  const updatesHtml = (i: Incident): string =>
    i.updates
      .map(
        (u) =>
          `<p><small>${new Date(u.at).toUTCString()}</small><br><strong>${capital(u.status)}</strong> - ${escapeXml(u.body)}</p>`,
      )
      .join('');

  const atom = (): string => {
    const entries = incidents
      .map(
        (i) => `  <entry>
    <id>tag:status.fake.invalid,2005:Incident/${i.id}</id>
    <published>${iso(i.startedAt)}</published>
    <updated>${iso(i.updates[0]?.at ?? i.startedAt)}</updated>
    <link rel="alternate" type="text/html" href="https://status.fake.invalid/incidents/${i.id}"/>
    <title>${escapeXml(i.name)}</title>
    <content type="html">${escapeXml(updatesHtml(i))}</content>
  </entry>`,
      )
      .join('\n');
    return `<?xml version="1.0" encoding="UTF-8"?>
<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">
  <id>tag:status.fake.invalid,2005:/history</id>
  <link rel="alternate" type="text/html" href="https://status.fake.invalid"/>
  <title>Fake Vendor Status - Incident History</title>
  <updated>${iso(now())}</updated>
${entries}
</feed>
`;
  };

  const rss = (): string => {
    const items = incidents
      .map(
        (i) => `    <item>
      <title>${escapeXml(i.name)}</title>
      <description>${escapeXml(updatesHtml(i))}</description>
      <pubDate>${new Date(i.updates[0]?.at ?? i.startedAt).toUTCString()}</pubDate>
      <link>https://status.fake.invalid/incidents/${i.id}</link>
      <guid>https://status.fake.invalid/incidents/${i.id}</guid>
    </item>`,
      )
      .join('\n');
    return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Fake Vendor Status - Incident History</title>
    <link>https://status.fake.invalid</link>
    <description>Statuspage</description>
${items}
  </channel>
</rss>
`;
  };

  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', path, at: now() });
    const route = path.split('?')[0] ?? '/';
    if (fault?.hang) return;
    if (fault?.status !== undefined && fault.body === undefined) {
      res.writeHead(fault.status, { 'content-type': 'text/plain' });
      res.end(`fake status page: HTTP ${fault.status}`);
      return;
    }
    if (fault?.body !== undefined) {
      res.writeHead(fault.status ?? 200, { 'content-type': fault.contentType ?? 'text/plain' });
      res.end(fault.body);
      return;
    }
    let body: string;
    let type: string;
    if (route === '/api/v2/summary.json') {
      body = JSON.stringify(summary());
      type = 'application/json; charset=utf-8';
    } else if (route === '/history.atom') {
      body = atom();
      type = 'application/atom+xml; charset=utf-8';
    } else if (route === '/history.rss') {
      body = rss();
      type = 'application/rss+xml; charset=utf-8';
    } else if (route === '/feed/' || route === '/feed') {
      body = rss();
      type = 'text/xml';
    } else if (route === '/' || route === '/index.html') {
      body =
        '<!DOCTYPE html><html><head><title>Fake Vendor Status</title></head><body>ok</body></html>';
      type = 'text/html; charset=utf-8';
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (fault?.malformed) body = body.slice(0, Math.floor(body.length / 2));
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const find = (id: string): Incident => {
    const incident = incidents.find((i) => i.id === id);
    if (incident === undefined) throw new Error(`no incident ${id}`);
    return incident;
  };

  return {
    url,
    summaryUrl: `${url}/api/v2/summary.json`,
    atomUrl: `${url}/history.atom`,
    rssUrl: `${url}/history.rss`,
    feedUrl: `${url}/feed/`,
    requests,
    setFlavour(f) {
      flavour = f;
    },
    setComponents(map) {
      components = new Map(Object.entries(map));
    },
    setComponentStatus(name, status) {
      components.set(name, status);
    },
    declareIncident(input) {
      seq += 1;
      const id = `inc${String(seq).padStart(9, '0')}`;
      const at = input.startedAt ?? now();
      const status = input.status ?? 'investigating';
      incidents.unshift({
        id,
        name: input.name,
        impact: input.impact ?? 'major',
        components: input.components ?? [],
        startedAt: at,
        updates: [
          {
            status,
            body: `We are ${status === 'investigating' ? 'investigating' : 'working on'} this issue.`,
            at,
          },
        ],
        resolved: false,
      });
      return id;
    },
    updateIncident(id, status) {
      find(id).updates.unshift({ status, body: `Status is now ${status}.`, at: now() });
    },
    resolveIncident(id) {
      for (const i of id === undefined ? incidents.filter((x) => !x.resolved) : [find(id)]) {
        i.resolved = true;
        i.updates.unshift({
          status: 'resolved',
          body: 'This incident has been resolved.',
          at: now(),
        });
      }
    },
    setMaintenance(input) {
      if (input === null) {
        maintenance = [];
        return;
      }
      seq += 1;
      maintenance.push({
        id: `mnt${String(seq).padStart(9, '0')}`,
        name: input.name,
        status: input.status ?? 'in_progress',
        components: input.components ?? [],
        scheduledFor: input.scheduledFor ?? now(),
        scheduledUntil: input.scheduledUntil ?? now() + 3_600_000,
      });
    },
    setFault(f) {
      fault = f === null ? null : { ...f };
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
