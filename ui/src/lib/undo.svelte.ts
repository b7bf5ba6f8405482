// Ctrl+Z's history in the Scheduler: the last deletions, moves (or resizes) and changes of a
// series' times, newest last and bounded, and what taking one back asks of the backend (a
// restore, the edit that puts the appointment back, or the undo of the series' change). The
// Scheduler only wires it to the keyboard, the toasts and its refresh.
// An occurrence of a series is moved back by an occurrence's edit, and a deleted one restored
// by its own id (its cancellation is a row of its own); a series' change of times is undone by
// the core, which keeps the occurrences it sent back to the pattern and restores them. A series made
// one appointment (Repeat Never) comes back by that appointment's id, with its changed and deleted
// occurrences.
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { AppointmentPatch } from '../bindings/AppointmentPatch';
import { occurrenceOf } from './series';

/** What Ctrl+Z can take back: a deletion, a move or resize by drag, a change of a series' times or pattern (`undo` as the edit answered it), or a series made one appointment. */
export type UndoStep =
  | { kind: 'delete'; record: AppointmentCard }
  | { kind: 'move'; before: AppointmentCard }
  | { kind: 'series'; seriesId: string; undo: number }
  | { kind: 'single'; record: AppointmentCard };

/** The backend calls that take a step back. */
export interface UndoBackend {
  restore(id: string): Promise<AppointmentCard>;
  /** The series a single appointment was made from, back; answers its master. */
  restoreSeries(single: string): Promise<AppointmentCard>;
  edit(id: string, patch: AppointmentPatch): Promise<AppointmentCard>;
  editOccurrence(seriesId: string, occurrence: string, patch: AppointmentPatch): Promise<AppointmentCard>;
  undoSeriesEdit(seriesId: string, undo: number): Promise<{ record: AppointmentCard; occurrences: number }>;
}

/** A step taken back: the appointment as it is now, and the toast's text. */
export interface Undone {
  record: AppointmentCard;
  text: string;
}

/** The toast after a series' change of times is undone: the series and how many of its changed occurrences came back. */
export function seriesRestoredText(title: string, occurrences: number): string {
  if (occurrences === 0) return `Restored the series “${title}”`;
  const which = occurrences === 1 ? 'changed occurrence' : `${occurrences} changed occurrences`;
  return `Restored the series “${title}” and its ${which}`;
}

/** The last changes, newest last; a bounded history. */
export class UndoHistory {
  #steps: UndoStep[] = $state.raw([]);

  constructor(
    private readonly backend: UndoBackend,
    private readonly limit = 20,
  ) {}

  push(step: UndoStep) {
    const steps = [...this.#steps, step];
    this.#steps = steps.length > this.limit ? steps.slice(steps.length - this.limit) : steps;
  }

  pop(): UndoStep | undefined {
    const last = this.#steps[this.#steps.length - 1];
    if (last) this.#steps = this.#steps.slice(0, -1);
    return last;
  }

  /** Forgets steps about an appointment (when it is changed in a way Ctrl+Z cannot take back). */
  forget(id: string) {
    this.#steps = this.#steps.filter((s) => stepId(s) !== id);
  }

  get size(): number {
    return this.#steps.length;
  }

  /** Brings a deleted appointment back (the toast's Undo, or Ctrl+Z); its steps are forgotten. */
  async restore(record: AppointmentCard): Promise<Undone> {
    this.forget(record.id);
    return { record: await this.backend.restore(record.id), text: 'Appointment restored' };
  }

  /** Brings back the series a single appointment was made from (the toast's Undo, or Ctrl+Z). */
  async restoreSeries(single: AppointmentCard): Promise<Undone> {
    this.forget(single.id);
    return { record: await this.backend.restoreSeries(single.id), text: 'Series restored' };
  }

  /** Ctrl+Z: takes back the last deletion, move, resize, series' change or series made one appointment; null when there is nothing to take back. */
  async undoLast(): Promise<Undone | null> {
    const step = this.pop();
    return step ? this.#takeBack(step) : null;
  }

  /** Takes back one step wherever it stands in the history (a toast's Undo); it leaves the history. */
  take(step: UndoStep): Promise<Undone> {
    this.#steps = this.#steps.filter((s) => s !== step);
    return this.#takeBack(step);
  }

  async #takeBack(step: UndoStep): Promise<Undone> {
    if (step.kind === 'delete') return this.restore(step.record);
    if (step.kind === 'series') {
      const undone = await this.backend.undoSeriesEdit(step.seriesId, step.undo);
      return { record: undone.record, text: seriesRestoredText(undone.record.title, undone.occurrences) };
    }
    if (step.kind === 'single') return this.restoreSeries(step.record);
    const occurrence = occurrenceOf(step.before);
    const record = occurrence
      ? await this.backend.editOccurrence(occurrence.seriesId, occurrence.occurrence, patchBack(step.before))
      : await this.backend.edit(step.before.id, patchBack(step.before));
    return { record, text: 'Move undone' };
  }
}

/** The appointment a step is about. */
function stepId(step: UndoStep): string {
  if (step.kind === 'delete') return step.record.id;
  if (step.kind === 'move') return step.before.id;
  if (step.kind === 'single') return step.record.id;
  return step.seriesId;
}

/** The edit that puts a moved or resized appointment back where it was (time, zone, resource). */
export function patchBack(before: AppointmentCard): AppointmentPatch {
  return {
    resource_id: before.resource_id,
    title: null,
    all_day: before.all_day,
    start: before.start,
    end: before.end,
    time_zone: before.all_day ? null : before.time_zone,
    location: null,
    notes: null,
    categories: null,
    show_as: null,
    sensitivity: null,
  };
}

/** Ctrl+Z (Cmd+Z), without Shift or Alt: the key that undoes. */
export function isUndoKey(key: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }): boolean {
  return (key.ctrlKey || key.metaKey) && !key.altKey && !key.shiftKey && key.key.toLowerCase() === 'z';
}
