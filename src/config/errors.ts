/** Config errors: one problem per bad value, each naming the file, the JSON path, what was expected and what was found. */
import { ErrorCode, StressdError } from '../errors.ts';

export interface ConfigProblem {
  /** The config file as the user named it (or a label such as "<inline>"). */
  file: string;
  /** JSON path of the offending value, e.g. `$.tests[3].timeout`; `$` for the whole document. */
  path: string;
  /** What would have been accepted, in words: "a positive integer (seconds)". */
  expected: string;
  /** What the file holds there, rendered briefly: `"90s"`, `null`, `nothing`. */
  found: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}: ${p.path}: expected ${p.expected}, found ${p.found}`;
}

export class ConfigError extends StressdError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super(ErrorCode.config, problems.map(formatProblem).join('\n'), options);
    this.name = 'ConfigError';
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
}
