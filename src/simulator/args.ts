/** Command-line flags of the simulator, checked with messages naming the flag, what was expected and what was found. */
import { parseArgs } from 'node:util';
import { DEFAULT_OPTIONS, type SimulatorOptions } from './claude-stream.ts';

export const USAGE = `usage: main.ts [--words N | --duration-s S] [--tokens-per-second R | --interval-ms M] [--first-token-ms MS]
  [--words-per-line N] [--seed N] [--topic "a,b"] [--include "python,best practice"] [--model NAME] [--claude-version V]
  [--exit-code N] [--is-error] [--stall-ms MS] [--stderr TEXT] [--rate-limit]`;

export class UsageError extends Error {}

function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function num(name: string, v: string | undefined, fallback: number, min: number, integer = false): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name}: expected ${integer ? 'an integer' : 'a number'} >= ${min}, found "${v}"`);
  }
  return n;
}

export function parseSimulatorArgs(argv: string[]): SimulatorOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      words: { type: 'string' },
      'duration-s': { type: 'string' },
      'tokens-per-second': { type: 'string' },
      'interval-ms': { type: 'string' },
      'first-token-ms': { type: 'string' },
      'words-per-line': { type: 'string' },
      seed: { type: 'string' },
      topic: { type: 'string' },
      include: { type: 'string' },
      model: { type: 'string' },
      'claude-version': { type: 'string' },
      'exit-code': { type: 'string' },
      'is-error': { type: 'boolean' },
      'stall-ms': { type: 'string' },
      stderr: { type: 'string' },
      'rate-limit': { type: 'boolean' },
    },
  });
  const d = DEFAULT_OPTIONS;
  return {
    words: num('words', values.words, d.words, 1, true),
    durationS: values['duration-s'] === undefined ? null : num('duration-s', values['duration-s'], 0, 0),
    tokensPerSecond: num('tokens-per-second', values['tokens-per-second'], d.tokensPerSecond, 0.001),
    intervalMs: values['interval-ms'] === undefined ? null : num('interval-ms', values['interval-ms'], 0, 0),
    firstTokenMs: num('first-token-ms', values['first-token-ms'], d.firstTokenMs, 0),
    wordsPerLine: num('words-per-line', values['words-per-line'], d.wordsPerLine, 1, true),
    seed: num('seed', values.seed, d.seed, 0, true),
    topic: list(values.topic),
    include: list(values.include),
    model: values.model ?? d.model,
    claudeVersion: values['claude-version'] ?? d.claudeVersion,
    exitCode: values['exit-code'] === undefined ? null : num('exit-code', values['exit-code'], 0, 0, true),
    isError: values['is-error'] ?? false,
    stallMs: num('stall-ms', values['stall-ms'], 0, 0),
    stderr: values.stderr ?? null,
    rateLimit: values['rate-limit'] ?? false,
  };
}
