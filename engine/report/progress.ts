/**
 * The live "… waiting for h3, h4" status line shown on a TTY while a task still runs on some
 * hosts. It lives on the last terminal line, is redrawn in place (`\r` + erase line) and is
 * cleared before any normal output so it never mixes with it. Never used on a non-TTY.
 */

/** Erase the current terminal line and return to its start. */
export const CLEAR_LINE = '\r\x1b[K';

/** Text of the status line, shortened to fit `width` columns. */
export function statusText(pending: readonly string[], elapsedMs: number, width: number): string {
  const secs = `(${Math.floor(elapsedMs / 1000)}s)`;
  const head = '… waiting for ';
  const room = Math.max(10, width - 1 - head.length - secs.length - 1);
  let list = '';
  for (let i = 0; i < pending.length; i++) {
    const more = pending.length - i - 1;
    const next = (list ? list + ', ' : '') + pending[i];
    const tail = more > 0 ? ` +${more} more` : '';
    if (next.length + tail.length > room && list) {
      list += ` +${pending.length - i} more`;
      break;
    }
    list = next;
  }
  return `${head}${list} ${secs}`;
}

/** Drives the status line on one stream. */
export class ProgressLine {
  private shown = false;
  private timer: NodeJS.Timeout | undefined;
  private pending: string[] = [];
  private startedAt = 0;

  constructor(
    private readonly write: (raw: string) => void,
    private readonly width: () => number,
    private readonly now: () => number,
    private readonly style: (text: string) => string,
    private readonly intervalMs = 1000,
  ) {}

  /** A task started on `hosts`: track them; the line appears on the next tick or result. */
  start(hosts: readonly string[]): void {
    this.stop();
    this.pending = [...hosts];
    this.startedAt = this.now();
    if (this.intervalMs > 0 && this.pending.length > 0) {
      this.timer = setInterval(() => this.render(), this.intervalMs);
      this.timer.unref?.();
    }
  }

  /** A host finished the task; redraw with the remaining hosts. */
  done(host: string): void {
    const i = this.pending.indexOf(host);
    if (i >= 0) this.pending.splice(i, 1);
    if (this.pending.length === 0) this.stop();
  }

  /** Hosts still running the current task. */
  waitingFor(): readonly string[] {
    return this.pending;
  }

  /** Draw (or redraw) the line if a task is still pending. */
  render(): void {
    if (this.pending.length === 0) return;
    this.write(CLEAR_LINE + this.style(statusText(this.pending, this.now() - this.startedAt, this.width())));
    this.shown = true;
  }

  /** Remove the line (before normal output). */
  clear(): void {
    if (!this.shown) return;
    this.write(CLEAR_LINE);
    this.shown = false;
  }

  /** Stop tracking and clear. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.clear();
  }
}
