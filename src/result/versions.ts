/**
 * What a run measured, by version (issue 21, point 5): the executor that answered (the name and
 * version of its `connected` frame), Claude's model and `claude_code_version` from the stream, the
 * hash of the command's text, and stressd's version. The change-point pass (src/analysis/changepoint.ts)
 * names the one that changed where a measure shifted. Every field is optional in the schema so
 * that older results still load; `recordedVersions` fills what an older file lacks from what it has.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The executor as its `connected` frame named it. */
export const ExecutorIdentitySchema = z.object({
  /** `name` of the frame; a server that sends none (cc_executor) is `cc_executor`. */
  name: z.string(),
  /** `version` of the frame; null when it carried none. */
  version: z.string().nullable(),
});

/** Per test: what this one execution measured. */
export const TestVersionsSchema = z.object({
  /** The executor that ran it; null when no `connected` frame came (the connection failed). */
  executor: ExecutorIdentitySchema.nullable(),
  /** Claude's model from the stream's `system`/`init` line (or the first assistant message); null: not Claude. */
  model: z.string().nullable(),
  /** `claude_code_version` of the stream; null when the stream had none. */
  claude_code_version: z.string().nullable(),
  /** The first 12 hex digits of the sha256 of the test's command text. */
  command_hash: z.string(),
});

/** Per run: the system under test as a whole. */
export const SutSchema = z.object({
  /** The executor of the run's first test that connected; null when none did. */
  executor: ExecutorIdentitySchema.nullable(),
  stressd_version: z.string(),
});

export type ExecutorIdentity = z.output<typeof ExecutorIdentitySchema>;
export type TestVersions = z.output<typeof TestVersionsSchema>;
export type Sut = z.output<typeof SutSchema>;

/** The name a `connected` frame without one gets: the protocol stressd speaks is cc_executor's. */
export const UNNAMED_EXECUTOR = 'cc_executor';

export function commandHash(command: string): string {
  return createHash('sha256').update(command, 'utf8').digest('hex').slice(0, 12);
}

/** The executor a `connected` frame's params name; null for anything that is not an object. */
export function executorIdentity(params: unknown): ExecutorIdentity | null {
  if (typeof params !== 'object' || params === null) return null;
  const p = params as { name?: unknown; version?: unknown };
  return {
    name: typeof p.name === 'string' && p.name !== '' ? p.name : UNNAMED_EXECUTOR,
    version: typeof p.version === 'string' ? p.version : null,
  };
}

/** Every version one measurement of a test had, flat: what the change-point pass compares run to run. */
export interface RecordedVersions {
  executor_name: string | null;
  executor_version: string | null;
  model: string | null;
  claude_code_version: string | null;
  command_hash: string;
  stressd_version: string;
}

/** The names of RecordedVersions in words, for "Claude model changed there from A to B". */
export const VERSION_WORDS: Readonly<Record<keyof RecordedVersions, string>> = {
  executor_name: 'executor',
  executor_version: 'executor version',
  model: 'Claude model',
  claude_code_version: 'Claude Code version',
  command_hash: 'command text',
  stressd_version: 'stressd version',
};

interface VersionSource {
  stressd_version: string;
  sut?: Sut | undefined;
}
interface TestSource {
  command: string;
  claude: { model: string | null; claude_version: string | null } | null;
  versions?: TestVersions | undefined;
}

/** A test's versions as recorded, or as an older file lets them be known (the command and the stream it kept). */
export function recordedVersions(run: VersionSource, test: TestSource): RecordedVersions {
  const v = test.versions;
  const executor = v?.executor ?? run.sut?.executor ?? null;
  return {
    executor_name: executor?.name ?? null,
    executor_version: executor?.version ?? null,
    model: v?.model ?? test.claude?.model ?? null,
    claude_code_version: v?.claude_code_version ?? test.claude?.claude_version ?? null,
    command_hash: v?.command_hash ?? commandHash(test.command),
    stressd_version: run.sut?.stressd_version ?? run.stressd_version,
  };
}
