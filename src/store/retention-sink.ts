/** The retention sink: after each run of a suite, its oldest runs beyond the suite's bounds go (DESIGN §3). */
import type { Suite } from '../config/types.ts';
import type { Logger } from '../logger.ts';
import type { Sink } from '../result/sink.ts';
import type { History } from './history.ts';
import { retainRuns } from './retention.ts';

export function retentionSink(options: { reportsDir: string; suites: readonly Suite[]; history: History; log: Logger }): Sink {
  return {
    name: 'retention',
    async onRunEnd(run) {
      const suite = options.suites.find((s) => s.suite === run.suite);
      if (suite) await retainRuns({ reportsDir: options.reportsDir, suite, history: options.history, log: options.log });
    },
  };
}
