import { createLogUpdate } from 'log-update';
import type { PlanRunEvent } from '../../engine/events.ts';
import type { OutputStream } from '../io.ts';
import { applyEvent, INITIAL_CHECKLIST, isBusy, type ChecklistState } from './checklist.ts';
import type { Colors } from './colors.ts';
import { renderChecklist } from './render-checklist.ts';

/** Time between two spinner frames while something runs. */
export const SPINNER_INTERVAL_MS = 80;

/**
 * The plan as a checklist redrawn in place (log-update) as events arrive, with a spinner while a
 * step, the planner or the synthesizer works. `run-finished` draws the final frame and keeps it.
 */
export class LiveChecklist {
  private state: ChecklistState = INITIAL_CHECKLIST;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private closed = false;
  private readonly log: ReturnType<typeof createLogUpdate>;

  constructor(
    private readonly stream: OutputStream,
    private readonly colors: Colors,
  ) {
    this.log = createLogUpdate(stream);
  }

  /** The checklist as it stands. */
  get current(): ChecklistState {
    return this.state;
  }

  /** Applies `event` and redraws. */
  readonly onEvent = (event: PlanRunEvent): void => {
    if (this.closed) return;
    this.state = applyEvent(this.state, event);
    if (event.type === 'run-finished') this.close();
    else this.draw();
  };

  /** Prints `text` as a line above the checklist, which is drawn again below it. */
  print(text: string): void {
    if (this.closed || this.paused) {
      this.stream.write(`${text}\n`);
      return;
    }
    this.log.clear();
    this.stream.write(`${text}\n`);
    this.draw();
  }

  /** Takes the checklist off the screen (while the approval prompt has the terminal). */
  pause(): void {
    if (this.closed) return;
    this.paused = true;
    this.stopTicking();
    this.log.clear();
  }

  /** Draws it again after `pause()`. */
  resume(): void {
    if (this.closed) return;
    this.paused = false;
    this.draw();
  }

  /** Draws the last frame, leaves it on the screen and stops the spinner; idempotent. */
  close(): void {
    if (this.closed) return;
    this.paused = false;
    this.draw();
    this.closed = true;
    this.stopTicking();
    this.log.done();
  }

  private draw(): void {
    if (this.paused) return;
    this.log(renderChecklist(this.state, { colors: this.colors, frame: this.frame, width: this.stream.columns || 80 }));
    if (isBusy(this.state) && !this.closed) this.startTicking();
    else this.stopTicking();
  }

  private startTicking(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.frame++;
      this.draw();
    }, SPINNER_INTERVAL_MS);
    // The spinner alone never keeps the process alive.
    this.timer.unref();
  }

  private stopTicking(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
