/** The history sink: a finished run joins the in-memory history the API and the status page read. */
import { join } from 'node:path';
import type { Sink } from '../result/sink.ts';
import type { WriteLedger } from '../result/write-errors.ts';
import type { History } from './history.ts';

/** `ledger`: what the report sink could not write, added to the run history keeps. */
export function historySink(history: History, ledger?: WriteLedger): Sink {
  return {
    name: 'history',
    onRunEnd(ended) {
      const run = ledger ? ledger.take(ended) : ended;
      // The report sink writes these; if it could not, the API renders the run from memory instead.
      const base = join(history.reportsDir, run.suite, run.id);
      history.add({ run, jsonPath: `${base}.json`, markdownPath: `${base}.md` });
    },
  };
}
