/**
 * `npm start` runs the daemon under `sh -c`, and npm forwards a SIGTERM to that shell only: the
 * shell dies, the daemon is re-parented and runs on with its executor. When started by
 * npm (npm_lifecycle_event is set), the daemon treats the loss of its parent as a SIGTERM: same
 * graceful path, same exit. A daemon started any other way (systemd, docker, nohup) is left alone:
 * outliving a shell is what nohup is for.
 */
const CHECK_MS = 250;

export function exitWithNpmWrapper(env: NodeJS.ProcessEnv = process.env): () => void {
  if (!env.npm_lifecycle_event) return () => undefined;
  const parent = process.ppid;
  // getppid() is read afresh each time: no event exists for a parent's death without native code.
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
