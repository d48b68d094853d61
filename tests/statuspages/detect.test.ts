import { describe, expect, it } from 'vitest';
import { displayUrl, parseStatusBody, planFetch } from '../../src/statuspages/detect.js';

describe('planFetch', () => {
  it.each([
    ['https://status.openai.com', 'https://status.openai.com/api/v2/summary.json', 'summary'],
    ['https://status.claude.com/', 'https://status.claude.com/api/v2/summary.json', 'summary'],
    ['https://groqstatus.com/?utm=x', 'https://groqstatus.com/api/v2/summary.json', 'summary'],
    [
      'https://statuspage.incident.io/acme',
      'https://statuspage.incident.io/acme/api/v2/summary.json',
      'summary',
    ],
    [
      'https://status.claude.com/api/v2/summary.json',
      'https://status.claude.com/api/v2/summary.json',
      'summary',
    ],
    ['https://status.openai.com/history.atom', 'https://status.openai.com/history.atom', 'feed'],
    ['https://status.openai.com/history.rss', 'https://status.openai.com/history.rss', 'feed'],
    [
      'https://rssfeed.azure.status.microsoft/en-us/status/feed/',
      'https://rssfeed.azure.status.microsoft/en-us/status/feed/',
      'feed',
    ],
    [
      'https://status.aws.amazon.com/rss/bedrock-us-east-1.rss',
      'https://status.aws.amazon.com/rss/bedrock-us-east-1.rss',
      'feed',
    ],
    [
      'https://status.cloud.google.com/en/feed.atom',
      'https://status.cloud.google.com/en/feed.atom',
      'feed',
    ],
    ['https://example.com/status.xml', 'https://example.com/status.xml', 'feed'],
    ['https://example.com/status.html', 'https://example.com/status.html', 'auto'],
  ])('%s → %s (%s)', (input, url, expect_) => {
    const plan = planFetch(input);
    expect(plan.url).toBe(url);
    expect(plan.expect).toBe(expect_);
  });

  it.each(['not a url', 'ftp://example.com/feed.rss'])('%s throws', (input) => {
    expect(() => planFetch(input)).toThrow();
  });

  it('guesses the source before anything is fetched', () => {
    expect(planFetch('https://status.cloud.google.com/en/feed.atom').guessedSource).toBe('atom');
    expect(planFetch('https://status.aws.amazon.com/rss/x.rss').guessedSource).toBe('rss');
    expect(planFetch('https://status.openai.com').guessedSource).toBe('statuspage');
  });
});

describe('displayUrl', () => {
  it('drops credentials, query and fragment', () => {
    expect(displayUrl('https://user:hunter2@status.example.com/feed.rss?token=s3cret#x')).toBe(
      'https://status.example.com/feed.rss',
    );
  });
});

describe('parseStatusBody: the body decides, not the content type', () => {
  const summary = '{"status":{"indicator":"minor"},"components":[]}';
  const rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>';
  const atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>';
  it.each([
    [summary, 'application/json', 'statuspage'],
    [summary, 'text/plain', 'statuspage'],
    [`\uFEFF  ${summary}`, undefined, 'statuspage'],
    [rss, 'application/rss+xml', 'rss'],
    [rss, 'text/html; charset=utf-8', 'rss'],
    [atom, 'application/json', 'atom'],
  ])('%#: %s as %s → %s', (body, type, source) => {
    const r = parseStatusBody(body, type);
    expect(r.ok && r.status.source).toBe(source);
  });

  it.each([
    ['', 'application/json', /empty body \(application\/json\)/],
    [
      '<!DOCTYPE html><html><body>status</body></html>',
      'text/html; charset=utf-8',
      /HTML page \(text\/html\)/,
    ],
    ['<html lang="en"><body>x</body></html>', undefined, /HTML page/],
    ['OK', 'text/plain', /neither JSON nor XML \(text\/plain\)/],
  ])('%j (%s) → error', (body, type, error) => {
    const r = parseStatusBody(body, type);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });
});
