/**
 * Just enough of a Dockerfile and .dockerignore reader for the deployment tests: line
 * continuations, comments, stages, global ARG defaults, COPY flags, key=value lists and
 * exec-form arrays. No engine runs here, so the tests read the file the engine would.
 */

/** One instruction, continuations joined, with the 1-based line it starts on. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** One `FROM` and the instructions up to the next. */
export interface Stage {
  /** The `AS` name, if any. */
  name?: string;
  /** The image as written, with global ARG defaults substituted. */
  from: string;
  instructions: Instruction[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  /** Global ARGs (before the first FROM) and their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** A COPY instruction's parts. */
export interface Copy {
  from?: string;
  chown?: string;
  sources: string[];
  dest: string;
  line: number;
}

/** Reads a Dockerfile's instructions and stages. */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  let current: Instruction | undefined;
  for (const [index, raw] of lines.entries()) {
    const trimmed = raw.trim();
    // Comment lines are dropped even in the middle of a continued instruction, as Docker does.
    if (trimmed.startsWith('#')) continue;
    if (current === undefined) {
      if (trimmed === '') continue;
      const match = /^(\S+)\s*(.*)$/.exec(trimmed);
      if (!match) continue;
      current = { keyword: (match[1] ?? '').toUpperCase(), args: '', line: index + 1 };
      const rest = match[2] ?? '';
      if (rest.endsWith('\\')) {
        current.args = rest.slice(0, -1).trim();
        continue;
      }
      current.args = rest;
      instructions.push(current);
      current = undefined;
      continue;
    }
    if (trimmed === '') continue;
    const continued = trimmed.endsWith('\\');
    const piece = continued ? trimmed.slice(0, -1).trim() : trimmed;
    current.args = current.args === '' ? piece : `${current.args} ${piece}`;
    if (!continued) {
      instructions.push(current);
      current = undefined;
    }
  }
  if (current) instructions.push(current);

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`line ${instruction.line}: cannot read FROM ${instruction.args}`);
      stages.push({
        from: substitute(match[1] ?? '', globalArgs),
        ...(match[2] ? { name: match[2] } : {}),
        instructions: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) {
      if (instruction.keyword !== 'ARG') {
        throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      }
      Object.assign(globalArgs, argDefault(instruction.args));
      continue;
    }
    stage.instructions.push(instruction);
  }
  return { globalArgs, stages };
}

function argDefault(args: string): Record<string, string> {
  const [name, ...rest] = args.split('=');
  return { [(name ?? '').trim()]: unquote(rest.join('=').trim()) };
}

/** The variables a stage sees at its end: re-declared global ARGs, its own ARGs and ENVs. */
export function stageVariables(file: Dockerfile, stage: Stage): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'ARG') {
      const [name, value] = Object.entries(argDefault(args))[0] ?? ['', ''];
      vars[name] = args.includes('=') ? value : (file.globalArgs[name] ?? '');
    } else if (keyword === 'ENV') {
      for (const [k, v] of Object.entries(keyValues(args))) vars[k] = substitute(v, vars);
    }
  }
  return vars;
}

/** Replaces `$NAME` and `${NAME}` with the given values (unknown names become empty). */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, braced?: string, bare?: string) => vars[braced ?? bare ?? ''] ?? '',
  );
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
    return value.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  return value;
}

/** Splits on whitespace outside double or single quotes, keeping the quotes in the words. */
function words(text: string): string[] {
  return text.match(/(?:[^\s"']+|"(?:[^"\\]|\\.)*"|'[^']*')+/g) ?? [];
}

/** Reads `LABEL`/`ENV` arguments: `k=v k2="v 2"` (and the old `ENV k v` form). */
export function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  const parts = words(args);
  if (parts.length > 0 && !(parts[0] ?? '').includes('=')) {
    out[parts[0] ?? ''] = args.slice((parts[0] ?? '').length).trim();
    return out;
  }
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`expected key=value, got ${part}`);
    out[unquote(part.slice(0, eq))] = unquote(part.slice(eq + 1));
  }
  return out;
}

/** The JSON array of an exec-form instruction, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
    throw new Error(`expected a JSON array of strings, got ${args}`);
  }
  return parsed;
}

/** Every COPY in a stage, with its flags. */
export function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => {
      const exec = execForm(i.args);
      const parts = exec ?? words(i.args);
      const flags: Record<string, string> = {};
      const paths: string[] = [];
      for (const part of parts) {
        const flag = /^--([a-z-]+)(?:=(.*))?$/.exec(part);
        if (flag && paths.length === 0) flags[flag[1] ?? ''] = flag[2] ?? 'true';
        else paths.push(part);
      }
      const dest = paths.pop();
      if (dest === undefined || paths.length === 0) {
        throw new Error(`line ${i.line}: COPY needs a source and a destination`);
      }
      return {
        ...(flags.from ? { from: flags.from } : {}),
        ...(flags.chown ? { chown: flags.chown } : {}),
        sources: paths,
        dest,
        line: i.line,
      };
    });
}

/** The instructions of one keyword in a stage. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** One `.dockerignore` rule. */
export interface IgnoreRule {
  negate: boolean;
  regex: RegExp;
  pattern: string;
}

/** Reads `.dockerignore`: comments and blank lines dropped, `!` negates, later rules win. */
export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = (negate ? line.slice(1) : line)
        .trim()
        .replace(/^\/+/, '')
        .replace(/\/+$/, '');
      return { negate, pattern, regex: globToRegex(pattern) };
    });
}

// Go filepath.Match plus `**`, as Docker's pattern matcher reads them.
function globToRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*' && pattern[i + 1] === '*') {
      const slashAfter = pattern[i + 2] === '/';
      out += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/**
 * Whether a context path (relative, `/`-separated) is sent to the builder: the last rule that
 * matches the path or one of its parent folders decides, as in Docker.
 */
export function contextIncludes(rules: IgnoreRule[], path: string): boolean {
  const segments = path.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let included = true;
  for (const rule of rules) {
    if (candidates.some((c) => rule.regex.test(c))) included = rule.negate;
  }
  return included;
}
