/** GET /api/runs/:id/tests/:testId/log serves a test's log from its run's folder only; the Run now form redirects back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { History } from '../../src/store/history.ts';
import { createApp, listen } from '../../src/web/http.ts';
import type { TriggerOutcome } from '../../src/result/types.ts';
import { runNowForm } from '../../src/web/suites-section.ts';
import { memoryLogger } from '../fixtures/daemon/log.ts';
import { formSession } from '../fixtures/web/form-session.ts';
import { runResult, testResult } from '../fixtures/run-result.ts';

test('a log inside the run folder is served; a path outside it is not; the form POST goes back to the page', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const id = '20261130T000000Z-0001';
  await mkdir(join(dir, 'demo', id), { recursive: true });
  await writeFile(join(dir, 'demo', id, 'good.log'), 'the whole output\n');
  await writeFile(join(dir, 'secret.txt'), 'not for the web\n');
  const run = runResult({ id, tests: [testResult({ id: 'good', log_path: join(dir, 'demo', id, 'good.log') }), testResult({ id: 'evil', log_path: join(dir, 'secret.txt') })] });
  await writeFile(join(dir, 'demo', `${id}.json`), JSON.stringify(run));
  const history = new History({ reportsDir: dir });
  await history.load();
  let triggered = 0;
  const app = createApp({
    metricsResponse: async () => ({ status: 200, contentType: 'text/plain', body: '' }),
    readiness: () => ({ ready: true, detail: {} }),
    history,
    runs: { current: () => null, active: () => [], suites: () => ['demo'], trigger: (): TriggerOutcome => (triggered++, { started: true, id: 'x' }) },
    renderMarkdown: () => '',
    statusPage: (csrf) => runNowForm(csrf, null, false),
    log: memoryLogger().log,
  });
  const http = await listen(app, '127.0.0.1', 0);
  t.after(() => http.close());

  const good = await fetch(`${http.url}/api/runs/${id}/tests/good/log`);
  assert.equal(good.status, 200);
  assert.equal(await good.text(), 'the whole output\n');
  assert.equal((await fetch(`${http.url}/api/runs/${id}/tests/evil/log`)).status, 404);
  assert.equal((await fetch(`${http.url}/api/runs/${id}/tests/nope/log`)).status, 404);

  const page = await formSession(http.url);
  const form = await fetch(`${http.url}/api/runs`, {
    method: 'POST', redirect: 'manual', headers: { accept: 'text/html,*/*;q=0.8', cookie: page.cookie }, body: new URLSearchParams({ _csrf: page.csrf }),
  });
  assert.equal(form.status, 303);
  assert.equal(form.headers.get('location'), '/');
  const api = await fetch(`${http.url}/api/runs`, { method: 'POST' });
  assert.equal(api.status, 202);
  assert.equal(triggered, 2);
});
