/**
 * The journal sink (DESIGN section 13): while a run goes on, `<reportsDir>/<suite>/<runId>.json`
 * holds it with status `running` and its owner, rewritten atomically at the start, at each test's
 * start and at each test's end. After a SIGKILL the next start finds it and records the run as
 * aborted (src/store/stale-runs.ts). The report sink replaces the file with the final result,
 * so this sink must come BEFORE the report sink in a list: feedSinks finishes this sink's writes
 * before the report sink's onRunEnd starts. The journal ends in spare room (spaces): on a full disk
 * the next journal, and the final JSON, are written over it in place (atomic-write.ts writeRecord).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORD_RESERVE_BYTES, SAFE_PATH_PART, writeRecord } from '../atomic-write.ts';
import type { Sink } from '../result/sink.ts';
import type { JournalOwner, RunResult, TestResult } from '../result/types.ts';
import { currentOwner } from './journal-owner.ts';

interface Journal {
  run: RunResult;
  tests: TestResult[];
  current: JournalOwner['current_test'];
}

export function journalSink(reportsDir: string, owner: Omit<JournalOwner, 'current_test'> = currentOwner()): Sink {
  const journals = new Map<string, Journal>();
  const write = async (j: Journal): Promise<void> => {
    const { run } = j;
    // The report writer refuses these too; a journal must not write where the report could not.
    if (!SAFE_PATH_PART.test(run.suite) || !SAFE_PATH_PART.test(run.id)) return;
    const dir = join(reportsDir, run.suite);
    await mkdir(dir, { recursive: true });
    const body: RunResult = {
      ...run,
      status: 'running',
      tests: j.tests,
      tests_passed: j.tests.filter((t) => t.outcome === 'passed').length,
      journal: { ...owner, current_test: j.current },
    };
    // With room kept at its end: on a full disk the run's last writes go over it in place.
    await writeRecord(join(dir, `${run.id}.json`), dir, `${JSON.stringify(body, null, 2)}\n`, RECORD_RESERVE_BYTES);
  };
  return {
    name: 'journal',
    async onRunStart(run) {
      const j: Journal = { run: { ...run }, tests: [], current: null };
      journals.set(run.id, j);
      await write(j);
    },
    async onTestStart(e) {
      const j = journals.get(e.runId);
      if (!j) return;
      j.current = { id: e.test.id, started_at: new Date().toISOString() };
      await write(j);
    },
    async onTestEnd(e) {
      const j = journals.get(e.runId);
      if (!j) return;
      j.tests.push(e.result);
      j.current = null;
      await write(j);
    },
    onRunEnd(run) {
      journals.delete(run.id);
    },
  };
}
