/** Binds the executor supervisor to src/executor/child.ts (embedded) or to a remote ws:// URL. */
import { ErrorCode, StressdError } from '../errors.ts';
import { redactCredentials } from '../result/redact.ts';
import { spawnExecutor } from '../executor/child.ts';
import { remoteExecutor, superviseExecutor, type ExecutorSupervisor } from '../daemon/executor.ts';
import type { Logger } from '../logger.ts';

export async function startExecutor(
  target: string,
  deps: { log: Logger; onRestart: () => void; envPassthrough?: readonly string[] },
): Promise<ExecutorSupervisor> {
  if (/^wss?:\/\//.test(target)) {
    deps.log.info({ url: redactCredentials(target) }, 'remote executor');
    return remoteExecutor(target, process.env.STRESSD_EXECUTOR_TOKEN || undefined);
  }
  if (target !== 'embedded') {
    throw new StressdError(ErrorCode.config, `executor: expected "embedded" or a ws:// URL, found "${redactCredentials(target)}"`);
  }
  return superviseExecutor({
    log: deps.log,
    onRestart: deps.onRestart,
    spawn: async (port) => {
      const c = await spawnExecutor({ ...(port === undefined ? {} : { port }), envPassthrough: deps.envPassthrough ?? [] });
      return { url: c.url, token: c.token, pid: c.pid, exited: c.exited, close: c.close, kill: (signal) => void c.child.kill(signal) };
    },
  });
}
