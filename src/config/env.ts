import { type Document, isMap, isPair, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { findNotifier, NOTIFIER_MODULES } from '../notify/registry.js';
import { VENDOR_MODULES } from '../vendors/registry.js';

/** One step of a path into the config: a mapping key or a list index. */
export type PathSegment = string | number;

/** A problem found while interpolating, located by its path in the document. */
export interface InterpolationIssue {
  path: PathSegment[];
  message: string;
}

/** One `${NAME}` or `${NAME:-default}` that was replaced. */
export interface EnvReference {
  name: string;
  value: string;
  fromDefault: boolean;
}

/** Result of {@link interpolate}. `missing` lists unset variables (replaced by nothing). */
export type InterpolateResult =
  | { ok: true; value: string; refs: EnvReference[]; missing: string[] }
  | { ok: false; message: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in one string. The default applies when the
 * variable is unset or empty, as in the shell. `$${` stands for a literal `${`; any other `$`
 * is kept as written. When `quiet` is set the reference text is left out of messages
 * (it may be a secret written in the wrong place).
 */
export function interpolate(
  input: string,
  env: NodeJS.ProcessEnv,
  quiet = false,
): InterpolateResult {
  let out = '';
  const refs: EnvReference[] = [];
  const missing: string[] = [];
  let i = 0;
  while (i < input.length) {
    const dollar = input.indexOf('$', i);
    if (dollar < 0) {
      out += input.slice(i);
      break;
    }
    out += input.slice(i, dollar);
    if (input.startsWith('$${', dollar)) {
      out += '${';
      i = dollar + 3;
      continue;
    }
    if (input[dollar + 1] !== '{') {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const close = input.indexOf('}', dollar + 2);
    if (close < 0) {
      return {
        ok: false,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the message is about a literal "${"
        message: 'unterminated "${": close it with "}" or write "$${" for a literal "${"',
      };
    }
    const body = input.slice(dollar + 2, close);
    const sep = body.indexOf(':-');
    const name = sep < 0 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      const shown = quiet ? '' : ` "\${${body}}"`;
      return {
        ok: false,
        message: `invalid variable reference${shown}: expected \${NAME} or \${NAME:-default}`,
      };
    }
    const set = env[name];
    if (sep >= 0 && (set === undefined || set === '')) {
      const value = body.slice(sep + 2);
      refs.push({ name, value, fromDefault: true });
      out += value;
    } else if (set === undefined) {
      missing.push(name);
    } else {
      refs.push({ name, value: set, fromDefault: false });
      out += set;
    }
    i = close + 1;
  }
  return { ok: true, value: out, refs, missing };
}

/** What {@link interpolateDocument} found besides the rewritten document. */
export interface DocumentInterpolation {
  issues: InterpolationIssue[];
  /** Secret values seen in secret-bearing fields, without duplicates or empty strings. */
  secrets: string[];
  /** Dependency index → credential key (apiKey, a vendor's own) → the environment variable it comes from. */
  credentialEnv: Map<number, Map<string, string>>;
}

// `header` values hold a secret only in part (`Bearer ${TOKEN}`), the others wholly.
// `credential` fields (apiKey and each vendor's own) are optional: an unset variable only
// removes them, and the dependency reports which variable is missing.
type SecretKind = 'credential' | 'whole' | 'header';

const CREDENTIAL_KEYS: ReadonlySet<string> = new Set([
  'apiKey',
  ...VENDOR_MODULES.flatMap((m): readonly string[] => m.credentialKeys ?? []),
]);

// A notifier key that some notifier holds secret is secret wherever it is misplaced too.
const NOTIFY_SECRET_KEYS: ReadonlySet<string> = new Set(
  NOTIFIER_MODULES.flatMap((m) =>
    Object.entries(m.settings).flatMap(([key, s]) => (s.secret ? [key] : [])),
  ),
);
// Header names whose literal values are credentials even when written inline.
const SECRET_HEADER = /auth|key|token|secret|cookie|password|session/i;

function notifierKeyIsSecret(type: unknown, key: string): boolean {
  const own = typeof type === 'string' ? findNotifier(type)?.settings[key] : undefined;
  return own ? own.secret === true : NOTIFY_SECRET_KEYS.has(key);
}

function secretKind(path: PathSegment[], parent: YAMLMap | undefined): SecretKind | undefined {
  const [top, index, key, sub] = path;
  if (top === 'otlp') return index === 'headers' && path.length === 3 ? 'whole' : undefined;
  if (typeof index !== 'number') return undefined;
  if (top === 'dependencies') {
    if (path.length === 3 && typeof key === 'string' && CREDENTIAL_KEYS.has(key)) {
      return 'credential';
    }
    if (path.length === 4 && key === 'headers' && sub !== undefined) return 'header';
    return undefined;
  }
  if (top === 'notify' && path.length === 3 && typeof key === 'string') {
    return notifierKeyIsSecret(parent?.get('type'), key) ? 'whole' : undefined;
  }
  return undefined;
}

// Credentials ride in URLs too: `https://user:pass@host/…`, `…?key=…&sig=…`. Every userinfo
// part and query value of a configured URL is a secret (the scrubber ignores very short ones).
function urlSecrets(value: string): string[] {
  if (!/^https?:\/\//i.test(value)) return [];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  const parts = [url.username, url.password, ...url.searchParams.values()];
  return parts.flatMap((part) => {
    if (part === '') return [];
    let decoded = part;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      // Not percent-encoded text: keep it as written.
    }
    return decoded === part ? [part] : [part, decoded];
  });
}

// A plain (unquoted) scalar that was all `${…}` should type itself after substitution, so
// `port: ${PORT:-9477}` is a number. Quoted scalars stay strings, as YAML would have it.
function retype(value: string): string | number | boolean {
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/**
 * Interpolates environment variables into every string scalar of the document, in place.
 * A missing variable is an issue naming it, except in a dependency's credentials (`apiKey`
 * and the credential keys vendor modules declare): there the key is removed (the field
 * becomes absent) and the variable is remembered in `credentialEnv`.
 * Values landing in secret-bearing fields (those credentials, header values, notifier keys
 * and URLs) are collected in `secrets`, as are literal credential and notifier secret values.
 */
export function interpolateDocument(doc: Document, env: NodeJS.ProcessEnv): DocumentInterpolation {
  const issues: InterpolationIssue[] = [];
  const secrets = new Set<string>();
  const credentialEnv = new Map<number, Map<string, string>>();

  const visitScalar = (
    node: Node,
    path: PathSegment[],
    parent: YAMLMap | undefined,
    key: unknown,
  ): void => {
    if (!isScalar(node) || typeof node.value !== 'string') return;
    const kind = secretKind(path, parent);
    const result = interpolate(node.value, env, kind !== undefined);
    if (!result.ok) {
      issues.push({ path, message: result.message });
      return;
    }
    const depIndex = path[1] as number;
    if (kind === 'credential') {
      const envName = result.missing[0] ?? result.refs[0]?.name;
      if (envName !== undefined) {
        const names = credentialEnv.get(depIndex) ?? new Map<string, string>();
        names.set(String(path[2]), envName);
        credentialEnv.set(depIndex, names);
      }
      if (result.missing.length > 0 || result.value === '') {
        parent?.delete(key);
        return;
      }
    } else if (result.missing.length > 0) {
      const names = result.missing.join(', ');
      const message =
        result.missing.length === 1
          ? `environment variable ${names} is not set`
          : `environment variables ${names} are not set`;
      issues.push({ path, message });
      return;
    }
    for (const part of urlSecrets(result.value)) secrets.add(part);
    if (kind !== undefined) {
      for (const ref of result.refs) if (ref.value !== '') secrets.add(ref.value);
      const whole = kind !== 'header' || SECRET_HEADER.test(String(path[3]));
      if (whole && result.value !== '') secrets.add(result.value);
    }
    if (result.value === node.value) return;
    node.value =
      node.type === 'PLAIN' && kind === undefined && result.refs.length > 0
        ? retype(result.value)
        : result.value;
  };

  const visit = (
    node: unknown,
    path: PathSegment[],
    parent: YAMLMap | undefined,
    key: unknown,
  ): void => {
    if (isMap(node)) {
      // Copy first: visiting may delete a pair (an unset apiKey).
      for (const pair of [...node.items]) {
        if (!isPair(pair)) continue;
        const k = isScalar(pair.key) ? pair.key.value : pair.key;
        if (typeof k !== 'string' && typeof k !== 'number') continue;
        visit(pair.value, [...path, String(k)], node, pair.key);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        visit(item, [...path, index], undefined, index);
      });
    } else if (isScalar(node)) {
      visitScalar(node, path, parent, key);
    }
  };

  visit(doc.contents, [], undefined, undefined);
  return { issues, secrets: [...secrets], credentialEnv };
}
