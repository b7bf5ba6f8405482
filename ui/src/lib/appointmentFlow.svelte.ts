// What the Scheduler does with an appointment, without a DOM: which dialog opens (the Appointment
// dialog, first "this occurrence or the whole series?" for an occurrence of a Quick3 series, or
// the conflict dialog for an appointment held in a sync conflict),
// what a save, a deletion (the dialog's, or Delete on a card), a move by drag and an undo ask of
// the backend and the screen, and which card takes the focus once the range is drawn again. The backend and the
// screen (toasts, a refresh, revealing a card) are passed in; Scheduler.svelte only wires them.
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { AppointmentPatch } from '../bindings/AppointmentPatch';
import type { AppointmentRecord } from '../bindings/AppointmentRecord';
import { ErrorCode } from '../bindings/ErrorCode';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { ResourceId } from '../bindings/ResourceId';
import type { SeriesEditRecord } from '../bindings/SeriesEditRecord';
import type { ToastMessage } from '../components/Toast.svelte';
import type { api } from './api';
import type { PickedSlot } from './calendar';
import { readOnlyReason, shownInDialog } from './cards';
import { formFromRecord, formFromSlot, type AppointmentForm } from './form';
import { deletedText, occurrenceOf } from './series';
import { datePart, type WallTime } from './time';
import type { TimelineChange } from './timeline';
import { UndoHistory, type Undone } from './undo.svelte';

/** The backend calls the flow makes (lib/api's). */
export type FlowBackend = Pick<
  typeof api,
  | 'getAppointment'
  | 'getOccurrence'
  | 'deleteAppointment'
  | 'deleteOccurrence'
  | 'editAppointment'
  | 'editOccurrence'
  | 'restoreAppointment'
  | 'undoSeriesEdit'
  | 'restoreSeries'
  | 'pushChanges'
>;

/** What the flow needs of the Scheduler around it. */
export interface FlowScreen {
  /** The card of the visible range with this id (what it shows, not the whole appointment). */
  card(id: string): AppointmentCard | undefined;
  /** The planner's own resource (its private appointments show in full). */
  mine(): ResourceId | null;
  /** The zone times are shown and planned in. */
  zone(): string;
  toast(toast: Omit<ToastMessage, 'id'>): void;
  /** Asks for the visible range again; resolves once it is drawn (the timeline) or at once. */
  refresh(): Promise<void> | void;
  /** Brings a saved appointment into view. */
  reveal(record: AppointmentCard): void;
  /** Drops the calendar's selection (the slot a new appointment was picked in). */
  unselect(): void;
}

/** The Appointment dialog: on a whole record, or on a new one (`record` null). */
export type DialogState = { record: AppointmentRecord | null; form: AppointmentForm };

/** An occurrence about to be opened or deleted: this occurrence or the whole series? */
export type SeriesQuestion = { card: AppointmentCard; action: 'open' | 'delete'; neighbour: string | null };

/** New times of a card moved or resized by drag (wall times in the planner's zone, end exclusive). */
export type MovedTimes = { allDay: boolean; start: WallTime; end: WallTime };

/**
 * The edit a drag saves: the new times (minutes; dates for all-day ones) in `zone`, and the
 * resource when it changed (`null` keeps it); every other field is kept.
 */
export function movePatch(change: MovedTimes, resource: ResourceId | null, zone: string): AppointmentPatch {
  const { allDay, start, end } = change;
  return {
    resource_id: resource,
    title: null,
    all_day: allDay,
    start: allDay ? datePart(start) : start.slice(0, 16),
    end: allDay ? datePart(end) : end.slice(0, 16),
    time_zone: allDay ? null : zone,
    location: null,
    notes: null,
    categories: null,
    show_as: null,
    sensitivity: null,
  };
}

export class AppointmentFlow {
  dialog: DialogState | null = $state(null);
  seriesQuestion: SeriesQuestion | null = $state(null);
  /** The sync conflict a card opened (ConflictDialog), by id. */
  conflict: number | null = $state(null);
  /** The card to focus once it is drawn (after a delete, an undo or a search hit). */
  focusNext: string | null = null;
  readonly undo: UndoHistory;

  constructor(
    private readonly backend: FlowBackend,
    private readonly screen: FlowScreen,
  ) {
    this.undo = new UndoHistory({
      restore: (id) => backend.restoreAppointment(id),
      restoreSeries: (single) => backend.restoreSeries(single),
      edit: (id, patch) => backend.editAppointment(id, patch),
      editOccurrence: (seriesId, occurrence, patch) => backend.editOccurrence(seriesId, occurrence, patch),
      undoSeriesEdit: (seriesId, undo) => backend.undoSeriesEdit(seriesId, undo),
    });
  }

  /** The dialog or the series question is open (they have their own keys). */
  get asking(): boolean {
    return this.dialog !== null || this.seriesQuestion !== null || this.conflict !== null;
  }

  /** A slot picked (drag, double-click, New): the dialog on a new appointment there. */
  openNew(slot: PickedSlot) {
    this.dialog = { record: null, form: formFromSlot(slot, this.screen.mine()) };
  }

  /** Opens a card's appointment in the dialog: the whole of it, asked for now (cards carry less). */
  async openExisting(id: string) {
    const card = this.screen.card(id);
    if (!card) return;
    if (card.upload?.state === 'conflict') {
      this.conflict = card.upload.conflict;
      return;
    }
    if (occurrenceOf(card)) {
      this.seriesQuestion = { card, action: 'open', neighbour: null };
      return;
    }
    await this.#openRecord(() => this.backend.getAppointment(id));
  }

  /**
   * The conflict dialog closed on a choice (or found the conflict settled meanwhile): what happened
   * is said, the range drawn again, and the resource's changes sent now when Quick3's version is
   * to reach Outlook (`upload`).
   */
  conflictSettled(text: string, upload: ResourceId | null) {
    this.conflict = null;
    this.screen.toast({ text, tone: 'info' });
    if (upload !== null)
      this.backend.pushChanges(upload).catch((e: ErrorPayload) => this.screen.toast({ text: e.message, tone: 'error' }));
    this.screen.refresh();
  }

  /** The planner's answer for an occurrence: open or delete just it, or the whole series. */
  async answerSeries(scope: 'occurrence' | 'series') {
    const question = this.seriesQuestion;
    this.seriesQuestion = null;
    const occurrence = question && occurrenceOf(question.card);
    if (!question || !occurrence) return;
    const { seriesId } = occurrence;
    if (question.action === 'open') {
      await this.#openRecord(() =>
        scope === 'occurrence' ? this.backend.getOccurrence(seriesId, occurrence.occurrence) : this.backend.getAppointment(seriesId),
      );
      return;
    }
    try {
      if (scope === 'occurrence') {
        await this.backend.deleteOccurrence(seriesId, occurrence.occurrence);
        this.focusNext = question.neighbour;
        this.deleted(question.card);
      } else {
        // The master names the series and its count in the toast.
        const master = await this.backend.getAppointment(seriesId);
        await this.backend.deleteAppointment(seriesId);
        this.focusNext = question.neighbour;
        // Undo restores the series by its master's id.
        this.deleted({ ...question.card, id: seriesId }, deletedText(master, this.screen.zone()));
      }
    } catch (e) {
      this.#failed(e);
    }
  }

  async #openRecord(read: () => Promise<AppointmentRecord>) {
    try {
      const record = shownInDialog(await read(), this.screen.mine());
      this.dialog = { record, form: formFromRecord(record, this.screen.zone()) };
    } catch (e) {
      const error = e as ErrorPayload;
      if (error.code === ErrorCode.UnknownAppointment) {
        // Deleted since the week was loaded (elsewhere, or by a sync): show what is there now.
        this.screen.toast({ text: 'This appointment has been deleted meanwhile.', tone: 'error' });
        this.screen.refresh();
      } else this.#failed(e);
    }
  }

  closeDialog() {
    this.dialog = null;
    this.screen.unselect();
  }

  /**
   * The dialog saved: the range again, the appointment in view, the change sent to Microsoft. A
   * whole series' change of times or pattern (`series`) goes on the Ctrl+Z history; when it sent
   * changed occurrences back to the pattern, a toast says how many, with Undo.
   */
  saved(record: AppointmentRecord, series?: SeriesEditRecord) {
    this.closeDialog();
    this.screen.refresh();
    this.screen.reveal(record);
    this.push(record);
    if (series?.undo == null) return;
    const step = { kind: 'series' as const, seriesId: record.id, undo: series.undo };
    this.undo.push(step);
    const count = series.reset_occurrences;
    if (count > 0)
      this.screen.toast({
        text: `${count === 1 ? '1 changed occurrence' : `${count} changed occurrences`} went back to the pattern`,
        action: { label: 'Undo', run: () => this.#showUndone(this.undo.take(step)) },
      });
  }

  /**
   * A series made one appointment (Repeat Never): saved as any edit, and Undo in the toast and on
   * Ctrl+Z brings the series back; the toast says what went (the core's sentence).
   */
  madeSingle(made: { record: AppointmentRecord; sentence: string }) {
    this.saved(made.record);
    this.undo.push({ kind: 'single', record: made.record });
    this.screen.toast({
      text: made.sentence,
      action: { label: 'Undo', run: () => this.#showUndone(this.undo.restoreSeries(made.record)) },
    });
  }

  /** An appointment (or series) deleted: Undo in the toast and on Ctrl+Z; the toast names what
   * went (`text`, else read from `record`). */
  deleted(record: AppointmentCard, text = deletedText(record, this.screen.zone())) {
    this.closeDialog();
    this.screen.refresh();
    this.push(record);
    this.undo.push({ kind: 'delete', record });
    this.screen.toast({
      text,
      action: { label: 'Undo', run: () => this.restore(record) },
    });
  }

  /** The toast's Undo: the deleted appointment back. */
  restore(record: AppointmentCard): Promise<void> {
    return this.#showUndone(this.undo.restore(record));
  }

  /** Ctrl+Z: the last deletion or move taken back. */
  undoLast(): Promise<void> {
    return this.#showUndone(this.undo.undoLast());
  }

  /** A step taken back: its card focused, pushed and announced. */
  #showUndone(undone: Promise<Undone | null>): Promise<void> {
    return undone.then(
      (done) => {
        if (!done) return;
        this.focusNext = done.record.id;
        this.screen.refresh();
        this.push(done.record);
        this.screen.toast({ text: done.text });
      },
      (e: ErrorPayload) => this.screen.toast({ text: e.message, tone: 'error' }),
    );
  }

  /**
   * Delete on a focused card: deletes it (Undo in the toast, or Ctrl+Z) unless it is read-only;
   * an occurrence asks first. `neighbour` takes the focus after.
   */
  async deleteByKey(id: string, neighbour: string | null) {
    const stored = this.screen.card(id);
    if (!stored) return;
    const refused = readOnlyReason(stored, this.screen.mine());
    if (refused) {
      this.screen.toast({ text: refused, tone: 'error' });
      return;
    }
    if (occurrenceOf(stored)) {
      this.seriesQuestion = { card: stored, action: 'delete', neighbour };
      return;
    }
    try {
      await this.backend.deleteAppointment(id);
      this.focusNext = neighbour;
      this.deleted(stored);
    } catch (e) {
      this.#failed(e);
    }
  }

  /** A drag on the timeline; resolves once the timeline shows the result. */
  moveOnTimeline(id: string, change: TimelineChange): Promise<void> {
    const before = this.screen.card(id);
    const resource = before && before.resource_id !== change.resourceId ? change.resourceId : null;
    return this.move(id, resource, change, () => {});
  }

  /**
   * Saves a move or resize by drag (`resource` null: the same resource): just the occurrence for
   * an occurrence of a series (as in Outlook), else the appointment; Ctrl+Z can take it back.
   * A failure calls `revert` (the calendar puts the card back) and says why.
   */
  async move(id: string, resource: ResourceId | null, change: MovedTimes, revert: () => void): Promise<void> {
    const before = this.screen.card(id);
    const patch = movePatch(change, resource, this.screen.zone());
    const occurrence = before ? occurrenceOf(before) : null;
    try {
      const record = occurrence
        ? await this.backend.editOccurrence(occurrence.seriesId, occurrence.occurrence, patch)
        : await this.backend.editAppointment(id, patch);
      if (before) this.undo.push({ kind: 'move', before });
      this.push(record);
      await this.screen.refresh();
    } catch (e) {
      revert();
      this.#failed(e);
    }
  }

  /** Whether a card just drawn is the one to focus (asked for once). */
  takesFocus(id: string): boolean {
    if (this.focusNext !== id) return false;
    this.focusNext = null;
    return true;
  }

  /** Sends the change to Microsoft 365 at once when the resource's main account uploads. */
  push(record: AppointmentCard) {
    this.backend.pushChanges(record.resource_id).catch((e: ErrorPayload) => this.screen.toast({ text: e.message, tone: 'error' }));
  }

  #failed(e: unknown) {
    this.screen.toast({ text: (e as ErrorPayload).message, tone: 'error' });
  }
}
