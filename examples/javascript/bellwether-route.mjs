// Ask Bellwether which AI dependency to call, failing safe (Node.js 18+ or any runtime with
// fetch and AbortSignal.timeout; no packages). Works from TypeScript as is (JSDoc types).
//
//   import { chooseRoute, NoUsableDependency } from './bellwether-route.mjs';
//   const choice = await chooseRoute('phishing-triage', { primary: 'openai-chat' });
//   const call = clients[choice.dependency]; // your own wrappers, keyed by dependency id
//
// Environment: BELLWETHER_URL (default http://localhost:9477) and BELLWETHER_TOKEN (a bearer
// token, when Bellwether runs with BELLWETHER_API_TOKENS). When Bellwether cannot be reached,
// times out or answers anything but 200 with a route, the primary is used: Bellwether being
// down must never take the tool down with it. When Bellwether answers that no dependency is
// usable (route null), NoUsableDependency is thrown: fail fast, or queue the work for a person.
//
// Run as a script to see the choice: node bellwether-route.mjs CONSUMER PRIMARY
// (prints one JSON line; exit 0, or 3 when no dependency is usable).

import { pathToFileURL } from 'node:url';

const TIMEOUT_MS = 1000; // per attempt: the route is a hint, the tool's own call matters more
const ATTEMPTS = 2; // one quick retry on a network error or a 5xx
const BUDGET_MS = 2500; // never spend longer than this asking

/** Bellwether answered that no dependency of the consumer is usable now. */
export class NoUsableDependency extends Error {}

/**
 * @typedef {object} Route
 * @property {string} dependency the dependency to call
 * @property {boolean} fallback true when this is not the consumer's primary
 * @property {'bellwether' | 'default'} source 'default' when Bellwether could not say
 * @property {string} reason
 */

/**
 * The dependency `consumer` should call now; `primary` when Bellwether cannot say.
 * @param {string} consumer
 * @param {{ primary: string, baseUrl?: string, token?: string }} options
 * @returns {Promise<Route>}
 */
export async function chooseRoute(consumer, { primary, baseUrl, token }) {
  const base = (baseUrl ?? process.env.BELLWETHER_URL ?? 'http://localhost:9477').replace(
    /\/+$/,
    '',
  );
  const bearer = token ?? process.env.BELLWETHER_TOKEN;
  const url = `${base}/api/v1/consumers/${encodeURIComponent(consumer)}/route`;
  const headers = { accept: 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const deadline = Date.now() + BUDGET_MS;
  let problem = 'not asked';
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    let res;
    let answer;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(Math.min(TIMEOUT_MS, left)) });
      if (res.status !== 200) {
        problem = `Bellwether answered HTTP ${res.status}`;
        await res.body?.cancel();
        if (res.status < 500) break; // a mistyped consumer or a missing token: no retry
        continue;
      }
      answer = await res.json();
    } catch (err) {
      // refused, timed out, DNS, bad JSON
      problem = `Bellwether unreachable: ${err?.name ?? 'Error'}`;
      continue;
    }
    if (answer && typeof answer === 'object' && 'route' in answer && answer.route === null) {
      throw new NoUsableDependency(String(answer.reason ?? 'no usable dependency'));
    }
    const dependency = answer?.route?.dependency;
    if (typeof dependency === 'string') {
      return {
        dependency,
        fallback: dependency !== primary,
        source: 'bellwether',
        reason: String(answer.reason ?? ''),
      };
    }
    problem = 'Bellwether answered without a route';
    break;
  }
  return {
    dependency: primary,
    fallback: false,
    source: 'default',
    reason: `${problem}; using the primary`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [consumer, primary] = process.argv.slice(2);
  if (!consumer || !primary) {
    process.stderr.write('usage: node bellwether-route.mjs CONSUMER PRIMARY\n');
    process.exit(2);
  }
  try {
    process.stdout.write(`${JSON.stringify(await chooseRoute(consumer, { primary }))}\n`);
  } catch (err) {
    if (!(err instanceof NoUsableDependency)) throw err;
    process.stdout.write(`${JSON.stringify({ dependency: null, reason: err.message })}\n`);
    process.exit(3);
  }
}
