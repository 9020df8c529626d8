/**
 * Nothing a command starts outlives the executor (DESIGN §12), even when the executor dies
 * without notice (SIGKILL, OOM killer).
 *
 * One reaper per executor: a small `/bin/sh` script in its own session (a signal to the
 * executor's group spares it), its stdin a pipe from the executor. The executor writes a line
 * when a command's group starts (`+ <pgid> <mark>`) and when it is gone (`- <pgid>`); the script
 * keeps the list in a shell variable (builtins only: no fork per line). `done` retires it. If the
 * pipe ends without `done`, the executor died: the reaper ends every group still listed and every
 * process carrying one of the listed marks (found with `grep -z` over /proc/*\/environ): SIGCONT
 * and SIGTERM, SIGKILL a second later, then it exits. If the reaper itself dies, the executor
 * starts another, hands it the current list and logs it.
 *
 * Why one per executor and not one per command (as before): spawning a second process per
 * command forks the whole executor (~80 MB) a second time; at 200 sessions that cost as much CPU
 * as spawning the commands themselves. One reaper costs one fork per executor and a pipe write
 * per command. Escapes found at the end of each command are the job of mark-sweep.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { RUN_MARK_VAR } from './mark-sweep.ts';
import type { ExecutorLogger } from './types.ts';

/** The name the reaper's `$0` carries, so `pgrep -af stressd-reaper` finds it. */
export const REAPER_NAME = 'stressd-reaper';

// dash-compatible. `read` fails at EOF (a partial line cannot happen: lines are shorter than PIPE_BUF).
// The list is " pgid:mark pgid:mark …"; a leading space before every entry makes " $g:" match one pgid only.
const REAPER_SCRIPT = `l=
while read -r op g m; do
  case $op in
    +) l="$l $g:$m" ;;
    -) case "$l" in *" $g:"*) r=\${l#*" $g:"}; l=\${l%%" $g:"*}; case $r in *" "*) l="$l \${r#* }" ;; esac ;; esac ;;
    done) exit 0 ;;
  esac
done
[ -n "$l" ] || exit 0
pg=; pat=
for e in $l; do pg="$pg -\${e%%:*}"; pat="$pat -e ${RUN_MARK_VAR}=\${e#*:}"; done
marked() { grep -lzxF $pat /proc/[0-9]*/environ 2>/dev/null | sed 's,^/proc/,,;s,/environ$,,'; }
m=$(marked); kill -CONT $pg $m 2>/dev/null; kill -TERM $pg $m 2>/dev/null
sleep 1
m=$(marked); kill -KILL $pg $m 2>/dev/null
exit 0`;

/** The executor's one reaper: watches every running command's group on behalf of an executor that may die without notice. */
export class GroupReaper {
  private child: ChildProcess | undefined;
  /** pgid → mark of every group started and not yet gone: what a new reaper is handed. */
  private readonly groups = new Map<number, string>();
  private closed = false;

  constructor(private readonly logger: ExecutorLogger) {}

  /** A command's group started: from now on it ends if the executor dies. */
  watch(pgid: number, mark: string): void {
    this.groups.set(pgid, mark);
    this.write(`+ ${pgid} ${mark}\n`);
  }

  /** The group is gone (and its escapes swept): the reaper forgets it. */
  release(pgid: number): void {
    if (this.groups.delete(pgid)) this.write(`- ${pgid}\n`);
  }

  /**
   * The executor is closing: the reaper exits. A group still listed (the close ran out of time)
   * is ended by it, exactly as if the executor had died.
   */
  close(): void {
    this.closed = true;
    const stdin = this.child?.stdin;
    if (stdin && !stdin.destroyed) stdin.end(this.groups.size === 0 ? 'done\n' : '');
  }

  private write(line: string): void {
    if (this.closed) return;
    // A new reaper is handed the whole list, this line's change included.
    if (!this.child) return void this.start();
    const stdin = this.child.stdin;
    if (stdin && !stdin.destroyed) stdin.write(line);
  }

  private start(): void {
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', REAPER_SCRIPT, REAPER_NAME], {
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
        // Not marked itself, or its own scan would find it.
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      });
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'orphan reaper could not start: groups are not covered if the executor dies');
      return;
    }
    child.on('error', (err) => {
      this.logger.error({ err: err.message }, 'orphan reaper failed: the next command starts another');
      if (this.child === child) this.child = undefined;
    });
    child.stdin?.on('error', () => undefined); // EPIPE once it is gone: its 'exit' says what happened
    child.once('exit', (code, signal) => this.exited(child, code, signal));
    // Neither the reaper nor its pipe keeps the executor's event loop alive.
    child.unref();
    if (child.stdin instanceof Socket) child.stdin.unref();
    this.child = child;
    // A new reaper is handed every group still running.
    for (const [pgid, mark] of this.groups) child.stdin?.write(`+ ${pgid} ${mark}\n`);
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.closed) return;
    const groups = this.groups.size;
    this.logger.warn({ pid: child.pid, code, signal, groups }, groups > 0 ? 'orphan reaper exited: started another' : 'orphan reaper exited: the next command starts another');
    if (groups > 0) this.start();
  }
}
