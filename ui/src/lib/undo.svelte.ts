// Ctrl+Z's history in the Scheduler: the last deletions and moves (or resizes), newest last and
// bounded, and what taking one back asks of the backend (a restore, or the edit that puts the
// appointment back). The Scheduler only wires it to the keyboard, the toasts and its refresh.
// An occurrence of a series is moved back by an occurrence's edit, and a deleted one restored
// by its own id (its cancellation is a row of its own). A series made one appointment (Repeat
// Never) comes back by that appointment's id, with its changed and deleted occurrences.
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { AppointmentPatch } from '../bindings/AppointmentPatch';
import { occurrenceOf } from './series';

/** What Ctrl+Z can take back: a deletion, a move or resize by drag, or a series made one appointment. */
export type UndoStep =
  | { kind: 'delete'; record: AppointmentCard }
  | { kind: 'move'; before: AppointmentCard }
  | { kind: 'single'; record: AppointmentCard };

/** The backend calls that take a step back. */
export interface UndoBackend {
  restore(id: string): Promise<AppointmentCard>;
  /** The series a single appointment was made from, back; answers its master. */
  restoreSeries(single: string): Promise<AppointmentCard>;
  edit(id: string, patch: AppointmentPatch): Promise<AppointmentCard>;
  editOccurrence(seriesId: string, occurrence: string, patch: AppointmentPatch): Promise<AppointmentCard>;
}

/** A step taken back: the appointment as it is now, and the toast's text. */
export interface Undone {
  record: AppointmentCard;
  text: 'Appointment restored' | 'Move undone' | 'Series restored';
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
    this.#steps = this.#steps.filter((s) => (s.kind === 'move' ? s.before.id : s.record.id) !== id);
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

  /** Ctrl+Z: takes back the last deletion, move or resize, or series made one appointment; null when there is nothing to take back. */
  async undoLast(): Promise<Undone | null> {
    const step = this.pop();
    if (!step) return null;
    if (step.kind === 'delete') return this.restore(step.record);
    if (step.kind === 'single') return this.restoreSeries(step.record);
    const occurrence = occurrenceOf(step.before);
    const record = occurrence
      ? await this.backend.editOccurrence(occurrence.seriesId, occurrence.occurrence, patchBack(step.before))
      : await this.backend.edit(step.before.id, patchBack(step.before));
    return { record, text: 'Move undone' };
  }
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
