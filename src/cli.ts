/**
 * `stressd` command line: parses flags (each mirrored by a STRESSD_* variable) and calls into the
 * modules; nothing else lives here. Exit codes: 0 ok / graduated, 1 not graduated, 2 bad input.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ErrorCode, StressdError } from './errors.ts';
import { VERSION } from './version.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port 0-65535, found "${value}"`);
  return n;
}

/**
 * A boolean STRESSD_* variable. commander only checks that a boolean's variable is defined, so
 * STRESSD_RUN_ON_START=false would switch it on; here the value decides, and a typo is an error.
 */
function envFlag(name: string): boolean {
  const raw = (process.env[name] ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(raw)) return false;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  throw new StressdError(ErrorCode.usage, `${name}: expected true/false, 1/0, yes/no or on/off, found "${process.env[name] ?? ''}"`);
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1, found "${value}"`);
  return n;
}

/** A repeatable option: every occurrence adds to the list. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

const program = new Command('stressd')
  .description('Continuous stress benchmarking of cc_executor-compatible command-execution services')
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

program
  .command('daemon')
  .description('run suites on a cron schedule; serve /metrics, the API and the status page')
  .addOption(new Option('--config <file|dir>', 'suite config, or a directory of *.json configs; repeat for several suites (env STRESSD_CONFIG: a list separated by commas or the path delimiter; default configs/demo.json)').argParser(collect))
  .addOption(new Option('--schedule <cron>', 'cron expression (overrides every config\'s schedule)').env('STRESSD_SCHEDULE'))
  .addOption(new Option('--max-concurrent-runs <n>', 'runs in flight across suites; further triggers are queued').env('STRESSD_MAX_CONCURRENT_RUNS').default(1).argParser(positive))
  .addOption(new Option('--host <host>', 'listen address').env('STRESSD_HOST').default('127.0.0.1'))
  .addOption(new Option('--port <port>', 'listen port').env('STRESSD_PORT').default(9464).argParser(port))
  .addOption(new Option('--reports-dir <dir>', 'where reports go').env('STRESSD_REPORTS_DIR').default('reports'))
  .addOption(new Option('--executor <target>', '"embedded" or ws://HOST:PORT/ws/mcp (overrides the config)').env('STRESSD_EXECUTOR'))
  .addOption(new Option('--run-on-start', 'start a run as soon as the daemon is up (env STRESSD_RUN_ON_START=true|false)'))
  .addOption(new Option('--token <token>', 'bearer token for POST /api/runs, required beyond loopback (prefer the env variable: argv is visible in ps)').env('STRESSD_TOKEN'))
  .addOption(new Option('--allow-host <names>', 'comma list of host names requests may name beside the listening address and localhost (a proxy\'s or container network\'s name)').env('STRESSD_ALLOW_HOST').argParser(list))
  .addOption(new Option('--allow-origin <origins>', 'comma list of origins (https://host[:port]) beside the daemon\'s own whose pages may post: a TLS proxy\'s public origin').env('STRESSD_ALLOW_ORIGIN').argParser(list))
  .action(async (opts: { config?: string[]; schedule?: string; maxConcurrentRuns: number; host: string; port: number; reportsDir: string; executor?: string; runOnStart?: boolean; token?: string; allowHost?: string[]; allowOrigin?: string[] }) => {
    const { daemonCommand } = await import('./commands/daemon.ts');
    const { splitConfigList } = await import('./commands/suite-files.ts');
    const { token, config, ...rest } = opts;
    const fromEnv = splitConfigList(process.env.STRESSD_CONFIG ?? '');
    const configs = config ?? (fromEnv.length > 0 ? fromEnv : ['configs/demo.json']);
    process.exitCode = await daemonCommand({
      ...rest, config: configs, ...(token ? { token } : {}), runOnStart: opts.runOnStart === true || envFlag('STRESSD_RUN_ON_START'),
    });
  });

program
  .command('run')
  .description('one run in the foreground; exit 0 graduated, 1 not graduated, 2 bad input')
  .addOption(new Option('--config <file>', 'suite config').env('STRESSD_CONFIG').default('configs/demo.json'))
  .addOption(new Option('--executor <target>', '"embedded" or ws://HOST:PORT/ws/mcp').env('STRESSD_EXECUTOR'))
  .addOption(new Option('--reports-dir <dir>', 'where reports go').env('STRESSD_REPORTS_DIR').default('reports'))
  .addOption(new Option('--json', 'print the RunResult as JSON on stdout'))
  .addOption(new Option('--only <ids>', 'run only these test ids or categories (comma list)').argParser(list))
  .addOption(new Option('--push-gateway <url>', 'push the run\'s metrics to this Prometheus Pushgateway when it ends (job "stressd", grouped by suite)').env('STRESSD_PUSH_GATEWAY'))
  .action(async (opts: { config: string; executor?: string; reportsDir: string; json?: boolean; only?: string[]; pushGateway?: string }) => {
    const { runCommand } = await import('./commands/run.ts');
    process.exitCode = await runCommand({ ...opts, json: Boolean(opts.json) });
  });

program
  .command('verify')
  .description('validate a config; print its tests, timeouts and estimated runtime')
  .addOption(new Option('--config <file>', 'suite config').env('STRESSD_CONFIG').default('configs/demo.json'))
  .action(async (opts: { config: string }) => {
    const { verifyCommand } = await import('./commands/verify.ts');
    process.exitCode = await verifyCommand(opts);
  });

program
  .command('compare')
  .description('compare run A with run B, or with its baseline from history when B is left out (ids or "latest")')
  .argument('<a>', 'run id or "latest"')
  .argument('[b]', 'run id or "latest"; omitted: the baseline from history')
  .addOption(new Option('--reports-dir <dir>', 'where reports are').env('STRESSD_REPORTS_DIR').default('reports'))
  .addOption(new Option('--json', 'print the comparison as JSON'))
  .action(async (a: string, b: string | undefined, opts: { reportsDir: string; json?: boolean }) => {
    const { compareCommand } = await import('./commands/compare.ts');
    process.exitCode = await compareCommand({ a, ...(b === undefined ? {} : { b }), reportsDir: opts.reportsDir, json: Boolean(opts.json) });
  });

program
  .command('executor')
  .description('the embedded cc_executor-compatible WebSocket server on its own')
  .addOption(new Option('--host <host>', 'listen address').env('STRESSD_EXECUTOR_HOST').default('127.0.0.1'))
  .addOption(new Option('--port <port>', 'listen port').env('STRESSD_EXECUTOR_PORT').default(8003).argParser(port))
  .addOption(new Option('--allow <cmds>', 'comma list of allowed commands (every command of a compound line is checked)').env('STRESSD_EXECUTOR_ALLOW').argParser(list))
  .addOption(new Option('--env-passthrough <names>', 'comma list of this process\'s variables that commands may see, beside PATH, HOME, LANG, LC_ALL, TZ, TERM, USER').env('STRESSD_EXECUTOR_ENV_PASSTHROUGH').argParser(list))
  .addOption(new Option('--token <token>', 'bearer token required on the upgrade').env('STRESSD_EXECUTOR_TOKEN'))
  .addOption(new Option('--allow-origin <origins>', 'comma list of origins (http://host:port) whose web pages may connect; default none: an upgrade with an Origin header is refused').env('STRESSD_EXECUTOR_ALLOW_ORIGIN').argParser(list))
  .addOption(new Option('--allow-host <names>', 'comma list of host names the upgrade may name beside the listening address and localhost').env('STRESSD_EXECUTOR_ALLOW_HOST').argParser(list))
  .addOption(new Option('--heartbeat-ms <ms>', 'ping interval').env('STRESSD_EXECUTOR_HEARTBEAT_MS').default(30_000).argParser(Number))
  .addOption(new Option('--parent-pipe', 'shut down when stdin closes (the parent that spawned it is gone)').hideHelp())
  .action(async (opts: { host: string; port: number; allow?: string[]; envPassthrough?: string[]; token?: string; allowOrigin?: string[]; allowHost?: string[]; heartbeatMs: number; parentPipe?: boolean }) => {
    const { executorCommand } = await import('./commands/executor.ts');
    process.exitCode = await executorCommand(opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof StressdError) {
    process.stderr.write(`stressd: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
