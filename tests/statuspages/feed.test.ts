import { describe, expect, it } from 'vitest';
import { incidentKey, looksResolved, parseFeed } from '../../src/statuspages/feed.js';
import type { ParsedStatus } from '../../src/statuspages/types.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const rfc822 = (ms: number): string => new Date(ms).toUTCString();
const iso = (ms: number): string => new Date(ms).toISOString();

const rss = (items: { title: string; description?: string; at?: number; category?: string }[]) =>
  `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:a10="http://www.w3.org/2005/Atom">
  <channel>
    <title>Azure Status</title>
    <link>https://azure.status.microsoft/en-us/status/</link>
    ${items
      .map(
        (i) => `<item>
      <guid isPermaLink="false">${Math.abs(i.title.length * 7919 + (i.at ?? 0))}</guid>
      <link>https://azure.status.microsoft/en-us/status/</link>
      ${i.category ? `<category>${i.category}</category>` : ''}
      <title>${i.title}</title>
      ${i.description !== undefined ? `<description><![CDATA[${i.description}]]></description>` : ''}
      ${i.at !== undefined ? `<pubDate>${rfc822(i.at)}</pubDate>` : ''}
    </item>`,
      )
      .join('\n')}
  </channel>
</rss>`;

const atom = (entries: { title: string; content: string; at: number; href?: string }[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Google Cloud Service Health</title>
  <updated>${iso(NOW)}</updated>
  ${entries
    .map(
      (e) => `<entry>
    <title>${e.title}</title>
    <id>${e.href ?? 'tag:x'}</id>
    <updated>${iso(e.at)}</updated>
    <link rel="alternate" href="${e.href ?? 'https://status.cloud.google.com/incidents/x'}"/>
    <content type="html">${e.content}</content>
  </entry>`,
    )
    .join('\n')}
</feed>`;

const statuspageAtomEntry = (title: string, states: string[], at: number) => ({
  title,
  at,
  href: `https://status.example.com/incidents/${title.length}`,
  content: states
    .map(
      (s) =>
        `&lt;p&gt;&lt;small&gt;Mar 1&lt;/small&gt;&lt;br&gt;&lt;strong&gt;${s}&lt;/strong&gt; - words.&lt;/p&gt;`,
    )
    .join(''),
});

const parse = (xml: string, components?: string[], recencyMs?: number): ParsedStatus => {
  const opts = {
    now: NOW,
    ...(components ? { components } : {}),
    ...(recencyMs ? { recencyMs } : {}),
  };
  const r = parseFeed(xml, opts);
  if (!r.ok) throw new Error(r.error);
  return r.status;
};

describe('parseFeed: active incidents', () => {
  it.each([
    {
      name: 'Azure RSS: a current incident',
      xml: rss([
        {
          title: 'Azure OpenAI Service - Degraded performance in East US',
          description:
            'Starting at 09:10 UTC customers may experience increased latency. Next update in 60 minutes.',
          at: NOW - 2 * HOUR,
        },
      ]),
      source: 'rss',
      incidents: ['Azure OpenAI Service - Degraded performance in East US'],
      indicator: 'minor',
    },
    {
      name: 'AWS RSS: an update then the resolution of the same incident',
      xml: rss([
        {
          title: 'Service is operating normally: [RESOLVED] Increased Error Rates',
          description: 'Between 9:00 AM and 10:30 AM PST we experienced increased error rates.',
          at: NOW - 1 * HOUR,
        },
        {
          title: 'Informational message: Increased Error Rates',
          description: 'We are investigating increased error rates for InvokeModel.',
          at: NOW - 3 * HOUR,
        },
      ]),
      source: 'rss',
      incidents: [],
      indicator: 'none',
    },
    {
      name: 'AWS RSS: a service disruption still open',
      xml: rss([
        {
          title: 'Service disruption: Increased API Error Rates',
          description: 'We are investigating.',
          at: NOW - 1 * HOUR,
        },
      ]),
      source: 'rss',
      incidents: ['Service disruption: Increased API Error Rates'],
      indicator: 'major',
    },
    {
      name: 'Google Atom: UPDATE then RESOLVED',
      xml: atom([
        {
          title: 'RESOLVED: Vertex AI Gemini API elevated error rates',
          content: '&lt;p&gt;The issue has been resolved for all affected users.&lt;/p&gt;',
          at: NOW - 1 * HOUR,
        },
        {
          title: 'UPDATE: Vertex AI Gemini API elevated error rates',
          content: '&lt;p&gt;Mitigation work is underway and will be resolved soon.&lt;/p&gt;',
          at: NOW - 2 * HOUR,
        },
      ]),
      source: 'atom',
      incidents: [],
      indicator: 'none',
    },
    {
      name: 'Google Atom: "will be resolved" is not resolved',
      xml: atom([
        {
          title: 'UPDATE: Vertex AI Gemini API elevated error rates',
          content: '&lt;p&gt;We expect this to be resolved within the hour.&lt;/p&gt;',
          at: NOW - 2 * HOUR,
        },
      ]),
      source: 'atom',
      incidents: ['UPDATE: Vertex AI Gemini API elevated error rates'],
      indicator: 'minor',
    },
    {
      name: 'Statuspage history.atom: latest update decides',
      xml: atom([
        statuspageAtomEntry(
          'Elevated errors on Claude Opus',
          ['Monitoring', 'Identified', 'Investigating'],
          NOW - HOUR,
        ),
        statuspageAtomEntry('Console login failures', ['Resolved', 'Investigating'], NOW - HOUR),
        statuspageAtomEntry('Old incident', ['Investigating'], NOW - 30 * HOUR),
      ]),
      source: 'atom',
      incidents: ['Elevated errors on Claude Opus'],
      indicator: 'minor',
    },
    {
      name: 'an undated, unresolved item counts as current',
      xml: rss([{ title: 'Azure OpenAI - Investigating', description: 'Investigating.' }]),
      source: 'rss',
      incidents: ['Azure OpenAI - Investigating'],
      indicator: 'minor',
    },
    {
      name: 'an empty feed',
      xml: '<?xml version="1.0"?><rss version="2.0"><channel><title>Azure Status</title></channel></rss>',
      source: 'rss',
      incidents: [],
      indicator: 'none',
    },
    {
      name: 'RSS 1.0 (RDF)',
      xml: `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><item><title>API outage</title><description>Down.</description><dc:date>${iso(NOW - HOUR)}</dc:date></item></rdf:RDF>`,
      source: 'rss',
      incidents: ['API outage'],
      indicator: 'major',
    },
  ])('$name', ({ xml, source, incidents, indicator }) => {
    const s = parse(xml);
    expect(s.source).toBe(source);
    expect(s.incidents.map((i) => i.name)).toEqual(incidents);
    expect(s.indicator).toBe(indicator);
  });

  it.each([
    { recencyMs: 24 * HOUR, ageHours: 23, active: true },
    { recencyMs: 24 * HOUR, ageHours: 25, active: false },
    { recencyMs: 2 * HOUR, ageHours: 3, active: false },
    { recencyMs: 72 * HOUR, ageHours: 48, active: true },
  ])(
    'recency window $recencyMs ms, item $ageHours h old → active $active',
    ({ recencyMs, ageHours, active }) => {
      const xml = rss([
        {
          title: 'Azure OpenAI incident',
          description: 'Investigating.',
          at: NOW - ageHours * HOUR,
        },
      ]);
      expect(parse(xml, undefined, recencyMs).incidents.length).toBe(active ? 1 : 0);
    },
  );

  it('reports the start, last update and link of a grouped incident', () => {
    const xml = atom([
      {
        title: 'UPDATE: Gemini errors',
        content: 'still on it',
        at: NOW - HOUR,
        href: 'https://status.cloud.google.com/incidents/abc',
      },
      {
        title: 'Gemini errors',
        content: 'investigating',
        at: NOW - 3 * HOUR,
        href: 'https://status.cloud.google.com/incidents/abc',
      },
    ]);
    const [incident] = parse(xml).incidents;
    expect(incident).toMatchObject({
      name: 'UPDATE: Gemini errors',
      status: 'update',
      startedAt: iso(NOW - 3 * HOUR),
      updatedAt: iso(NOW - HOUR),
      url: 'https://status.cloud.google.com/incidents/abc',
    });
  });

  it('lists Statuspage-style maintenance apart from incidents', () => {
    const xml = atom([
      statuspageAtomEntry(
        'Scheduled database maintenance',
        ['In progress', 'Scheduled'],
        NOW - HOUR,
      ),
      statuspageAtomEntry('Next week maintenance', ['Scheduled'], NOW - HOUR),
      statuspageAtomEntry('Last week maintenance', ['Completed', 'In progress'], NOW - HOUR),
    ]);
    const s = parse(xml);
    expect(s.incidents).toEqual([]);
    expect(s.maintenance.map((m) => [m.name, m.inProgress])).toEqual([
      ['Scheduled database maintenance', true],
      ['Next week maintenance', false],
    ]);
    expect(s.indicator).toBe('maintenance');
  });
});

describe('parseFeed: component filtering', () => {
  const xml = rss([
    {
      title: 'Azure OpenAI Service - Degraded performance',
      description: 'Latency.',
      at: NOW - HOUR,
    },
    {
      title: 'Virtual Machines - Service disruption in West Europe',
      description: 'Outage.',
      at: NOW - HOUR,
    },
    { title: 'Storage incident', description: 'Affects Azure AI Search indexing.', at: NOW - HOUR },
    {
      title: 'Networking issue',
      description: 'Investigating.',
      at: NOW - HOUR,
      category: 'Azure Cosmos DB',
    },
  ]);

  it.each([
    {
      wanted: ['azure openai'],
      incidents: ['Azure OpenAI Service - Degraded performance'],
      statuses: ['degraded_performance'],
    },
    {
      wanted: ['Virtual Machines'],
      incidents: ['Virtual Machines - Service disruption in West Europe'],
      statuses: ['partial_outage'],
    },
    { wanted: ['AI Search'], incidents: ['Storage incident'], statuses: ['degraded_performance'] },
    { wanted: ['cosmos db'], incidents: ['Networking issue'], statuses: ['degraded_performance'] },
    { wanted: ['Azure Functions'], incidents: [], statuses: ['operational'] },
  ])('$wanted → $incidents', ({ wanted, incidents, statuses }) => {
    const s = parse(xml, wanted);
    expect(s.incidents.map((i) => i.name)).toEqual(incidents);
    expect(s.components.map((c) => c.status)).toEqual(statuses);
    expect(s.components.map((c) => c.name)).toEqual(wanted);
    for (const i of s.incidents) expect(i.components).toEqual(wanted);
  });

  it('a resolution that does not repeat the component still resolves the incident', () => {
    const feed = rss([
      { title: '[RESOLVED] Increased latency', description: 'Done.', at: NOW - HOUR },
      {
        title: 'Increased latency',
        description: 'Bedrock InvokeModel latency is elevated.',
        at: NOW - 2 * HOUR,
      },
    ]);
    expect(parse(feed, ['Bedrock']).incidents).toEqual([]);
  });
});

describe('parseFeed: garbage never throws', () => {
  it.each([
    ['empty', '', /empty feed/],
    ['truncated XML', '<rss version="2.0"><channel><item><title>oops', /malformed XML/],
    ['plain text', 'hello world', /malformed XML/],
    ['an HTML page', '<html><body><p>status</p></body></html>', /HTML page/],
    [
      'another XML document',
      '<?xml version="1.0"?><svg><rect/></svg>',
      /not an RSS or Atom feed \(root element <svg>\)/,
    ],
    ['JSON', '{"status":{}}', /malformed XML/],
  ])('%s → error', (_name, xml, error) => {
    const r = parseFeed(xml, { now: NOW });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it.each([
    [
      'items without titles',
      '<rss><channel><item><description>x</description></item><item/></channel></rss>',
    ],
    [
      'a bad date',
      '<rss><channel><item><title>API down</title><pubDate>someday</pubDate></item></channel></rss>',
    ],
    ['numbers as titles', '<rss><channel><item><title>404</title></item></channel></rss>'],
    [
      'an entity bomb is limited',
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel><item><title>&b;</title></item></channel></rss>`,
    ],
  ])('%s → no throw', (_name, xml) => {
    expect(() => parseFeed(xml, { now: NOW })).not.toThrow();
  });
});

describe('feed helpers', () => {
  it.each([
    ['Service is operating normally: [RESOLVED] Increased Error Rates', 'increased error rates'],
    ['Informational message: Increased Error Rates', 'increased error rates'],
    ['RESOLVED: We are investigating Gemini errors', 'we are investigating gemini errors'],
    ['UPDATE: We are investigating Gemini errors', 'we are investigating gemini errors'],
    ['Azure OpenAI Service - Degraded performance', 'azure openai service - degraded performance'],
  ])('incidentKey(%j) = %j', (title, key) => {
    expect(incidentKey(title)).toBe(key);
  });

  it.each([
    ['[Resolved] API errors', '', true],
    ['RESOLVED: API errors', '', true],
    ['API errors', 'This incident has been resolved.', true],
    ['API errors', 'Resolved - fixed.', true],
    ['API errors', 'We expect it to be resolved soon.', false],
    ['Unresolved API errors', 'Investigating.', false],
    ['API errors', '<p><strong>Monitoring</strong> - resolved for most users.</p>', false],
    [
      'API errors',
      '<p><strong>Resolved</strong> - done.</p><p><strong>Investigating</strong></p>',
      true,
    ],
    ['Service is operating normally', '', true],
  ])('looksResolved(%j, %j) = %s', (title, text, resolved) => {
    expect(looksResolved(title, text)).toBe(resolved);
  });
});
