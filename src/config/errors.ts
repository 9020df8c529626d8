/** Config errors: one problem per bad value, each naming the file, the JSON path, what was expected and what was found. */
import { ErrorCode, StressdError } from '../errors.ts';

export interface ConfigProblem {
  /** The config file as the user named it (or a label such as "<inline>"). */
  file: string;
  /** Where in the file (1-based), when the file's text was read: the key of an object member, else the value. */
  line?: number;
  column?: number;
  /** JSON path of the offending value, e.g. `$.tests[3].timeout`; `$` for the whole document. */
  path: string;
  /** What would have been accepted, in words: "a positive integer (seconds)". */
  expected: string;
  /** What the file holds there, rendered briefly: `"90s"`, `null`, `nothing`. */
  found: string;
  /** Said instead of "expected …, found …" where that reads better ("unknown key; did you mean `schedule`?", "no such file"). */
  message?: string;
}

/** `FILE:LINE:COL: PATH: MESSAGE`, the shape compilers use so an editor can jump to it. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
  return `${where}: ${p.path}: ${p.message ?? `expected ${p.expected}, found ${p.found}`}`;
}

/**
 * The one way `verify`, `run` and `daemon` print a ConfigError, one block per file:
 * `config error in FILE:` then `  FILE:LINE:COL: PATH: MESSAGE` per problem (the caller adds `stressd: `).
 */
export function configErrorLines(problems: readonly ConfigProblem[]): string[] {
  const files = [...new Set(problems.map((p) => p.file))];
  return files.map((file) => {
    const own = problems.filter((p) => p.file === file);
    return [`config error in ${file} (${own.length} problem${own.length === 1 ? '' : 's'}):`, ...own.map((p) => `  ${formatProblem(p)}`)].join('\n');
  });
}

export class ConfigError extends StressdError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super(ErrorCode.config, problems.map(formatProblem).join('\n'), options);
    this.name = 'ConfigError';
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
}
