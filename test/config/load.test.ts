import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { loadSuite, parseSuite } from '../../src/config/load.ts';

const FIX = resolve(import.meta.dirname, '../fixtures/configs');
/** cc_executor's own suites, vendored (test/fixtures/cc-executor/SOURCE.md). */
const CC = resolve(import.meta.dirname, '../fixtures/cc-executor');
const REPO = resolve(import.meta.dirname, '../..');

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'STRESSD_ERR_CONFIG');
    return err;
  }
  assert.fail('expected a ConfigError');
}

async function configErrorAsync(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

const flat = (tests: unknown[], extra: Record<string, unknown> = {}) => ({ timeout: 60, tests, ...extra });
const t = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: id, command: `echo ${id}`, expected_patterns: [id], ...extra });

describe('loadSuite', () => {
  // The repo's verbatim copy and the vendored originals: cc_executor's own files load without a warning.
  const files = [
    ['complex_stress_tests.json', 7],
    ['simple_stress_tests.json', 5],
    ['medium_stress_tests.json', 7],
    ['all_stress_tests.json', 25],
  ] as const;
  for (const [file, count] of files) {
    it(`loads cc_executor's ${file} verbatim, with ${count} tests and no unknown key`, async () => {
      const { suite } = await loadSuite(`${CC}/${file}`);
      assert.equal(suite.tests.length, count);
      assert.equal(suite.suite, file.replace('.json', ''));
      assert.equal(suite.path, `${CC}/${file}`);
    });
  }

  it('loads the repo copy of the complex suite and the demo suite', async () => {
    const complex = await loadSuite(`${REPO}/configs/complex_stress_tests.json`);
    assert.equal(complex.suite.timeout, 300);
    assert.ok(complex.suite.tests.every((x) => x.timeout === 300 && x.category === null));
    const demo = await loadSuite(`${REPO}/configs/demo.json`);
    assert.equal(demo.suite.suite, 'demo');
    assert.equal(demo.suite.executor, 'embedded');
    assert.equal(demo.suite.schedule, '*/15 * * * *');
    assert.equal(demo.suite.pause_between_tests, 1);
    assert.equal(demo.suite.graduation.min_pass_rate, 0.6);
  });

  it('gives the categorised form a category per test', async () => {
    const { suite } = await loadSuite(`${CC}/all_stress_tests.json`);
    assert.deepEqual([...new Set(suite.tests.map((x) => x.category))], ['simple', 'medium', 'complex', 'edge_cases', 'stress']);
    assert.equal(suite.tests.find((x) => x.id === 'simple_math')?.timeout, 120);
  });

  it("resolves each test's timeout: its own, else its category's, else the suite's", async () => {
    const { suite } = await loadSuite(`${FIX}/categorised.json`);
    const timeout = (id: string) => suite.tests.find((x) => x.id === id)?.timeout;
    assert.equal(timeout('own_timeout'), 5);
    assert.equal(timeout('category_timeout'), 20);
    assert.equal(timeout('suite_timeout'), 100);
  });

  it('applies the documented defaults', () => {
    const { suite } = parseSuite(flat([t('a')], { timeout: undefined }), 'defaults.json');
    assert.equal(suite.suite, 'defaults');
    assert.equal(suite.path, null);
    assert.equal(suite.timeout, 300);
    assert.equal(suite.executor, 'embedded');
    assert.equal(suite.schedule, null);
    assert.equal(suite.pause_between_tests, 5);
    assert.equal(suite.pattern_threshold, 0.8);
    assert.equal(suite.sample_interval_ms, 500);
    assert.deepEqual(suite.graduation, {
      min_pass_rate: 0.6, allow_timeouts: false, max_peak_memory_mb: null, max_peak_cpu_percent: null, min_success_failure_ratio: 10, ratio_window_runs: 50,
    });
    assert.deepEqual(suite.regression, { window_runs: 50, min_runs: 5, min_change: 0.1, confirm_reruns: 3, model: 'sequential', pressure_wait_seconds: 60 });
    assert.deepEqual(suite.budget, { max_cost_usd_per_run: null, max_cost_usd_per_day: null });
  });

  it('refuses a regression model it does not know and a budget that is not a positive number', () => {
    assert.throws(
      () => parseSuite(flat([t('a')], { regression: { model: 'vibes' }, budget: { max_cost_usd_per_day: -1 } }), 'bad.json'),
      (err: Error) => /\$\.regression\.model.*"mad"/.test(err.message) && /\$\.budget\.max_cost_usd_per_day/.test(err.message),
    );
  });

  it('returns a deep-frozen suite', () => {
    const { suite } = parseSuite(flat([t('a')]), 'x.json');
    assert.ok(Object.isFrozen(suite) && Object.isFrozen(suite.tests) && Object.isFrozen(suite.tests[0]));
    assert.ok(Object.isFrozen(suite.tests[0]?.expected_patterns) && Object.isFrozen(suite.graduation));
  });

  it('refuses each unknown key, naming file, line, column and path, with the nearest known key', async () => {
    const err = await configErrorAsync(loadSuite(`${FIX}/typo-keys.json`));
    assert.deepEqual(err.message.split('\n'), [
      `${FIX}/typo-keys.json:3:3: $.shedule: unknown key; did you mean \`schedule\`?`,
      `${FIX}/typo-keys.json:5:43: $.tests[0].expected_paterns: unknown key; did you mean \`expected_patterns\`?`,
      `${FIX}/typo-keys.json:6:43: $.tests[1].load.sessions: expected one of "sessions" (N at once), "stages" (a ramp), "rate" (arrivals per second) or "search" (a capacity search), found nothing`,
      `${FIX}/typo-keys.json:6:53: $.tests[1].load.sesions: unknown key; did you mean \`sessions\`?`,
      `${FIX}/typo-keys.json:9:3: $.graduation.min_pas_rate: unknown key; did you mean \`min_pass_rate\`?`,
      `${FIX}/typo-keys.json:10:3: $.colour: unknown key; the keys here are \`task_list_id\`, \`description\`, \`timeout\`, \`tests\`, \`categories\`, \`suite\`, \`executor\`, \`schedule\`, \`pause_between_tests\`, \`pattern_threshold\`, \`sample_interval_ms\`, \`graduation\`, \`regression\`, \`budget\`, \`env\`, \`env_passthrough\`, \`resources\`, \`retention\``,
    ]);
    assert.equal(err.problems[1]?.found, '"expected_paterns"');
  });

  it('finds unknown keys in categories, nested loads and resources too, and keeps cc_executor\'s own keys', () => {
    const err = configError(() => parseSuite({
      task_list_id: 't', description: 'd',
      categories: { slow: { description: 'x', tests: [{ id: 'a', command: 'x', retries: 3 }] } },
      resources: { prometheus: { url: 'http://p:9090', cpu: 'up', lables: {} } },
    }, 'c.json'));
    assert.deepEqual(err.problems.map((p) => p.path), ['$.categories.slow.tests[0].retries', '$.resources.prometheus.lables']);
    assert.equal(err.problems[1]?.message, 'unknown key; did you mean `labels`?');
  });

  it('loads every config the repo ships (configs/, the fixtures) with no unknown key', async () => {
    const { readdir } = await import('node:fs/promises');
    const dirs = ['configs', 'test/fixtures/daemon', 'test/fixtures/daemon/suites', 'test/fixtures/ops', 'test/fixtures/cc-executor'];
    let loaded = 0;
    for (const dir of dirs) {
      for (const f of (await readdir(`${REPO}/${dir}`)).filter((n) => n.endsWith('.json'))) {
        await loadSuite(`${REPO}/${dir}/${f}`);
        loaded++;
      }
    }
    assert.ok(loaded >= 15, `only ${loaded} configs found`);
  });

  it('reports unknown keys beside the other problems of the file', () => {
    const err = configError(() => parseSuite({ tests: [{ id: 'a', command: '', expected_paterns: ['x'] }] }, 'both.json'));
    assert.deepEqual(err.problems.map((p) => p.path), ['$.tests[0].expected_paterns', '$.tests[0].command']);
  });
});

describe('config problems', () => {
  it('names file, JSON path, what was expected and what was found', async () => {
    const err = await configErrorAsync(loadSuite(`${FIX}/bad-timeout.json`));
    assert.deepEqual(err.problems, [{ file: `${FIX}/bad-timeout.json`, line: 8, column: 80, path: '$.tests[3].timeout', expected: 'a positive integer (seconds)', found: '"90s"' }]);
    assert.equal(err.message, `${FIX}/bad-timeout.json:8:80: $.tests[3].timeout: expected a positive integer (seconds), found "90s"`);
  });

  it('reports every problem, one line each', () => {
    const err = configError(() =>
      parseSuite(
        flat([t('ok'), t('x', { command: '' }), t('y', { expected_patterns: ['fine', 3] })], {
          executor: 'http://example.com',
          schedule: 'every day',
          pattern_threshold: 1.5,
          sample_interval_ms: 10,
          graduation: { min_pass_rate: '60%' },
        }),
        'many.json',
      ),
    );
    const lines = err.message.split('\n');
    assert.equal(lines.length, err.problems.length);
    assert.deepEqual(err.problems.map((p) => p.path), [
      '$.tests[1].command',
      '$.tests[2].expected_patterns[1]',
      '$.executor',
      '$.schedule',
      '$.pattern_threshold',
      '$.sample_interval_ms',
      '$.graduation.min_pass_rate',
    ]);
    for (const line of lines) assert.match(line, /^many\.json: \$\.\S+: expected .+, found .+$/);
    assert.match(err.message, /\$\.executor: expected "embedded" or a ws:\/\/ or wss:\/\/ URL, found "http:\/\/example\.com"/);
    assert.match(err.message, /\$\.sample_interval_ms: expected an integer number of milliseconds, at least 50, found 10/);
  });

  it('requires test ids to be unique and safe as file names, and says why', () => {
    const dup = configError(() => parseSuite(flat([t('a'), t('b'), t('a')]), 'dup.json'));
    assert.equal(dup.problems[0]?.path, '$.tests[2].id');
    assert.match(dup.message, /unique test id \(ids become log file names; this one is already used at \$\.tests\[0\]\), found "a"/);
    const unsafe = configError(() => parseSuite(flat([t('../../etc/passwd')]), 'unsafe.json'));
    assert.match(unsafe.message, /\$\.tests\[0\]\.id: expected a test id safe as a file name .*found "\.\.\/\.\.\/etc\/passwd"/);
  });

  it('says what is missing when a required key is absent', () => {
    const err = configError(() => parseSuite({ tests: [{ id: 'a', name: 'A' }] }, 'missing.json'));
    assert.equal(err.message, 'missing.json: $.tests[0].command: expected a non-empty command string, found nothing');
    const none = configError(() => parseSuite({ description: 'no tests' }, 'none.json'));
    assert.match(none.message, /\$\.tests: expected a "tests" array \(flat form\) or a "categories" object \(categorised form\), found nothing/);
  });

  it('paths into the categorised form name the category', () => {
    const err = configError(() => parseSuite({ categories: { 'edge cases': { timeout: 0, tests: [t('a')] } } }, 'cat.json'));
    assert.equal(err.message, 'cat.json: $.categories["edge cases"].timeout: expected a positive integer (seconds), found 0');
  });

  it('rejects a document that is not an object', () => {
    assert.equal(configError(() => parseSuite([1, 2], 'arr.json')).message, 'arr.json: $: expected a JSON object (a suite config), found an array of 2');
  });

  it('turns invalid JSON into a problem with line and column', async () => {
    const err = await configErrorAsync(loadSuite(`${FIX}/invalid-json.json`));
    assert.match(err.message, /invalid-json\.json:3:39: \$: expected valid JSON, found "}\\n {2}\]\\n}\\n"$/);
  });

  it('loads a file saved with a UTF-8 byte order mark, as Windows editors write it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stressd-bom-'));
    try {
      const file = join(dir, 'bom.json');
      await writeFile(file, `\uFEFF${JSON.stringify(flat([t('a')]))}`, 'utf8');
      const { suite } = await loadSuite(file);
      assert.deepEqual(suite.tests.map((x) => x.id), ['a']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a sample interval too long for a Node timer (which would fire every millisecond instead)', () => {
    const err = configError(() => parseSuite(flat([t('a')], { sample_interval_ms: 2 ** 31 }), 'big.json'));
    assert.match(err.message, /^big\.json: \$\.sample_interval_ms: expected an integer number of milliseconds of at most 86400000 \(one day\), found 2147483648$/);
  });

  it('turns an unreadable file into a problem', async () => {
    const err = await configErrorAsync(loadSuite(`${FIX}/does-not-exist.json`));
    assert.equal(err.message, `${FIX}/does-not-exist.json: $: no such file`);
  });
});

describe('env and env_passthrough (DESIGN §12)', () => {
  const base = { suite: 'e', tests: [{ id: 'a', command: 'echo a', env: { T: 'test', S: 'over' } }] };
  it('merges the suite env under the test env and keeps the passthrough names', () => {
    const { suite } = parseSuite({ ...base, env: { S: 'suite', U: 'u' }, env_passthrough: ['MY_VAR'] }, 'e.json');
    assert.deepEqual(suite.tests[0]?.env, { S: 'over', U: 'u', T: 'test' });
    assert.deepEqual(suite.env_passthrough, ['MY_VAR']);
  });
  it("refuses stressd's own names and names that are not variable names, saying where", () => {
    for (const [extra, path] of [
      [{ env_passthrough: ['STRESSD_TOKEN'] }, '$.env_passthrough[0]'],
      [{ env_passthrough: ['OTEL_EXPORTER_OTLP_HEADERS'] }, '$.env_passthrough[0]'],
      [{ env: { 'A B': 'x' } }, '$.env'],
      [{ env: { X: 1 } }, '$.env.X'],
    ] as const) {
      assert.throws(() => parseSuite({ ...base, ...extra }, 'e.json'), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const text = JSON.stringify(err.problems);
        assert.ok(text.includes(path), `${JSON.stringify(extra)}: ${text}`);
        return true;
      });
    }
  });
});
