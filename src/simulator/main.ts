/**
 * Executable Claude stream-json simulator: `node --import tsx src/simulator/main.ts [flags]`.
 * Each line is scheduled against one monotonic start time (never cumulative sleeps), so timer
 * lateness does not accumulate and measured pacing matches the flags.
 */
import { performance } from 'node:perf_hooks';
import { parseSimulatorArgs, USAGE } from './args.ts';
import { planStream, type SimulatorOptions, type StreamPlan } from './claude-stream.ts';

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (stream.write(text)) return Promise.resolve();
  // Respect backpressure: a slow reader (the executor's pipe) must not make us buffer the whole stream.
  return new Promise((resolve) => stream.once('drain', resolve));
}

function until(targetMs: number): Promise<void> {
  const wait = targetMs - performance.now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
}

export async function emit(plan: StreamPlan): Promise<number> {
  const start = performance.now();
  for (const line of plan.lines) {
    await until(start + line.atMs);
    if (line.stream === 'stderr') {
      await write(process.stderr, String(line.body));
      continue;
    }
    const body = typeof line.body === 'string' ? line.body : { ...line.body };
    if (typeof body !== 'string' && body.type === 'result') {
      // The planned value is the intent; report what actually elapsed, as Claude does.
      body.duration_ms = Math.round(performance.now() - start);
    }
    await write(process.stdout, `${typeof body === 'string' ? body : JSON.stringify(body)}\n`);
  }
  return plan.exitCode;
}

async function main(): Promise<void> {
  let options: SimulatorOptions;
  try {
    options = parseSimulatorArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`simulator: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = await emit(planStream(options));
}

await main();
