/**
 * The runs API (list, trigger) and one run's views (JSON, markdown and HTML report, a test's log):
 * the run in progress from RunControl, a recorded one from RunStore (memory, then disk).
 */
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type express from 'express';
import type { Request, Response } from 'express';
import { isValidRunId } from '../result/id.ts';
import type { HistoryEntry, RunResult, TriggerOutcome, WriteError } from '../result/types.ts';
import type { HttpDeps } from './deps.ts';
import { renderReportPage } from './report-html.ts';

export interface RunSummary {
  id: string;
  suite: string;
  status: RunResult['status'];
  trigger: RunResult['trigger'];
  started_at: string;
  ended_at: string | null;
  graduated: boolean;
  tests_total: number;
  tests_passed: number;
  /** Why an aborted run stopped; null otherwise. */
  abort_cause: string | null;
  /** The files of the run that could not be written (report, JSON, logs) with the error; empty when all were. */
  write_errors: WriteError[];
  /** A `stressd run --only` run: not counted in graduation over runs. */
  partial: boolean;
  only?: string[];
}

export function summarize(run: RunResult): RunSummary {
  const { id, suite, status, trigger, started_at, ended_at, graduated, tests_total, tests_passed } = run;
  return { id, suite, status, trigger, started_at, ended_at, graduated, tests_total, tests_passed, abort_cause: run.abort_cause ?? null, write_errors: run.write_errors ?? [], partial: run.only !== undefined, ...(run.only ? { only: run.only } : {}) };
}

function notFound(res: Response, id: string): void {
  res.status(404).json({ error: 'run not found', id });
}

/**
 * The suite a POST /api/runs names in its JSON body `{"suite": …}`; it may be left out when the
 * daemon runs one suite. Otherwise the answer to send: 400 (missing or not a string), 404 (unknown).
 */
function suiteOf(req: Request, suites: readonly string[]): { suite: string } | { status: number; body: Record<string, unknown> } {
  const body: unknown = req.body;
  // A JSON body names it as {"suite": …}; the status page's per-suite form as a field.
  const named = body instanceof URLSearchParams
    ? (body.get('suite') ?? undefined)
    : body !== null && typeof body === 'object' && 'suite' in body ? (body as { suite: unknown }).suite : undefined;
  if (named === undefined) {
    const [only] = suites;
    if (suites.length === 1 && only !== undefined) return { suite: only };
    return { status: 400, body: { error: `this daemon runs several suites: name one in the JSON body, e.g. {"suite": ${JSON.stringify(suites[0] ?? '')}}`, suites } };
  }
  if (typeof named !== 'string') return { status: 400, body: { error: `suite: expected a string, found ${JSON.stringify(named)}`, suites } };
  if (!suites.includes(named)) return { status: 404, body: { error: `unknown suite ${JSON.stringify(named)}`, suites } };
  return { suite: named };
}

/** GET /api/runs (optionally ?suite=) and POST /api/runs (the trigger). */
export function runRoutes(app: express.Express, deps: HttpDeps): void {
  app.get('/api/runs', async (req, res) => {
    // Runs another process (`stressd run`) wrote to the same reports dir since the last look.
    await deps.history.refresh?.();
    const suite = typeof req.query.suite === 'string' ? req.query.suite : undefined;
    if (suite !== undefined && !deps.runs.suites().includes(suite) && !deps.history.runs().some((r) => r.suite === suite)) {
      res.status(404).json({ error: `unknown suite ${JSON.stringify(suite)}`, suites: deps.runs.suites() });
      return;
    }
    const active = deps.runs.active();
    const past = deps.history.runs().filter((r) => !active.some((a) => a.id === r.id));
    const all = [...active, ...past].filter((r) => suite === undefined || r.suite === suite);
    res.json(all.map(summarize));
  });

  // The guard has let through a Bearer token or a signed-in session; cross-site.ts a request of this site.
  app.post('/api/runs', (req, res) => {
    const chosen = suiteOf(req, deps.runs.suites());
    if ('status' in chosen) {
      res.status(chosen.status).json(chosen.body);
      return;
    }
    const outcome = deps.runs.trigger('api', chosen.suite);
    // The status page's "Run now" form: a browser that asked for HTML goes back to the page.
    if (req.accepts(['json', 'html']) === 'html') {
      res.redirect(303, '/');
      return;
    }
    answerTrigger(res, outcome, chosen.suite);
  });
}

function answerTrigger(res: Response, outcome: TriggerOutcome, suite: string): void {
  if (outcome.started) {
    res.status(202).location(`/api/runs/${encodeURIComponent(outcome.id)}`).json({ id: outcome.id, suite, status: 'running' });
  } else if (outcome.reason === 'queued') {
    res.status(202).json({ suite, status: 'queued', position: outcome.position });
  } else if (outcome.reason === 'running') {
    res.status(409).json({ error: 'a run of this suite is in progress', id: outcome.runningId, suite });
  } else {
    res.status(503).json({ error: 'run not started', why: outcome.detail });
  }
}

interface FoundRun {
  run: RunResult;
  entry: HistoryEntry | null;
}

/** The run in progress (from the coordinator) or a recorded one (memory, then disk). */
async function findRun(deps: HttpDeps, id: string): Promise<FoundRun | null> {
  if (!isValidRunId(id)) return null;
  const cur = deps.runs.active().find((r) => r.id === id);
  if (cur) return { run: cur, entry: null };
  const entry = await deps.history.get(id);
  return entry ? { run: entry.run, entry } : null;
}

async function markdownOf(deps: HttpDeps, found: FoundRun): Promise<string> {
  if (found.entry?.markdownPath) {
    try {
      return await readFile(found.entry.markdownPath, 'utf8');
    } catch {
      // not on disk (write failed, or pruned): render it afresh from the result
    }
  }
  return deps.renderMarkdown(found.run);
}

/** One run: its JSON, its report as markdown and as HTML, and a test's output log. */
export function reportRoutes(app: express.Express, deps: HttpDeps): void {
  app.get('/api/runs/:id', async (req, res) => {
    const found = await findRun(deps, req.params.id);
    if (!found) return notFound(res, req.params.id);
    res.json(found.run);
  });

  app.get('/api/runs/:id/report', async (req, res) => {
    const found = await findRun(deps, req.params.id);
    if (!found) return notFound(res, req.params.id);
    res.type('text/markdown; charset=utf-8').send(await markdownOf(deps, found));
  });

  app.get('/api/runs/:id/report.html', async (req, res) => {
    const found = await findRun(deps, req.params.id);
    if (!found) return notFound(res, req.params.id);
    res.type('html').send(renderReportPage(await markdownOf(deps, found), `stressd report ${found.run.id}`, found.run));
  });

  // A test's full output log: only a file inside the run's own log folder next to its JSON (a
  // RunResult read from disk must not make the daemon serve any path it names).
  app.get('/api/runs/:id/tests/:testId/log', async (req, res) => {
    const found = await findRun(deps, req.params.id);
    const test = found?.run.tests.find((t) => t.id === req.params.testId);
    const folder = found?.entry?.jsonPath ? `${resolve(found.entry.jsonPath.replace(/\.json$/, ''))}${sep}` : null;
    const path = test?.log_path ? resolve(test.log_path) : null;
    if (!found || !test || folder === null || path === null || !path.startsWith(folder)) {
      res.status(404).json({ error: 'log not found', id: req.params.id, test: req.params.testId });
      return;
    }
    try {
      res.type('text/plain; charset=utf-8').send(await readFile(path));
    } catch {
      res.status(404).json({ error: 'log not found', id: req.params.id, test: req.params.testId });
    }
  });
}
