/**
 * The bounded wait after CANCEL. cc_executor answers with `process.canceled` and nothing more;
 * stressd's executor sends `process.completed` (exit code, signal) once the group is gone, and
 * says so with `completed_follows: true` on `process.canceled`. So after `process.canceled`
 * the client waits for that completion within what is left of the budget when it was promised,
 * and only briefly (a server that may send one unannounced) otherwise.
 */

/** How long to wait for an unannounced `process.completed` after `process.canceled`. */
export const UNANNOUNCED_COMPLETED_WAIT_MS = 1_000;

export class CancelWait {
  /** `process.canceled` arrived: the server confirmed the cancel, whatever comes next. */
  confirmed = false;
  private deadline = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly onOver: () => void) {}

  /** CANCEL was sent: the whole wait, completion included, fits in `budgetMs`. */
  start(budgetMs: number, now: number): void {
    this.deadline = now + budgetMs;
    this.arm(budgetMs);
  }

  /** `process.canceled` arrived; `completedFollows` when the server promised a completion. */
  canceled(completedFollows: boolean, now: number): void {
    this.confirmed = true;
    const left = Math.max(0, this.deadline - now);
    this.arm(completedFollows ? left : Math.min(left, UNANNOUNCED_COMPLETED_WAIT_MS));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onOver, ms);
  }
}
