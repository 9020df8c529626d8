/** The history sink: a finished run joins the in-memory history the API and the status page read. */
import { join } from 'node:path';
import type { Sink } from '../result/sink.ts';
import type { History } from './history.ts';

export function historySink(history: History): Sink {
  return {
    name: 'history',
    onRunEnd(run) {
      // The report sink writes these; if it could not, the API renders the run from memory instead.
      const base = join(history.reportsDir, run.suite, run.id);
      history.add({ run, jsonPath: `${base}.json`, markdownPath: `${base}.md` });
    },
  };
}
