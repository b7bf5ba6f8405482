// The Appointment dialog's form: filled from a picked slot or a stored record, checked lightly
// (the backend has the last word), and turned into AppointmentInput or AppointmentPatch.
// All-day ranges are shown with an inclusive last day and sent with an exclusive end.
import type { AppointmentInput } from '../bindings/AppointmentInput';
import type { AppointmentPatch } from '../bindings/AppointmentPatch';
import type { AppointmentRecord } from '../bindings/AppointmentRecord';
import type { ResourceId } from '../bindings/ResourceId';
import type { Sensitivity } from '../bindings/Sensitivity';
import type { ShowAs } from '../bindings/ShowAs';
import type { PickedSlot } from './calendar';
import { addDays, compareWall, datePart, DATE_RE, TIME_RE, timePart, wallTimeAt } from './time';

export const MAX_TITLE_CHARS = 255;

export interface AppointmentForm {
  title: string;
  resourceId: ResourceId | null;
  allDay: boolean;
  startDate: string;
  startTime: string;
  /** The last day for all-day appointments (inclusive); the end's date for timed ones. */
  endDate: string;
  endTime: string;
  location: string;
  notes: string;
  showAs: ShowAs;
  isPrivate: boolean;
}

const DEFAULT_START = '09:00';
const DEFAULT_END = '10:00';

export function formFromSlot(slot: PickedSlot, fallbackResource: ResourceId | null): AppointmentForm {
  const base = {
    title: '',
    resourceId: slot.resourceId ?? fallbackResource,
    location: '',
    notes: '',
    showAs: 'busy' as ShowAs,
    isPrivate: false,
  };
  if (slot.allDay) {
    const first = datePart(slot.start);
    const exclusive = datePart(slot.end);
    const last = exclusive > first ? addDays(exclusive, -1) : first;
    return { ...base, allDay: true, startDate: first, startTime: DEFAULT_START, endDate: last, endTime: DEFAULT_END };
  }
  return {
    ...base,
    allDay: false,
    startDate: datePart(slot.start),
    startTime: timePart(slot.start),
    endDate: datePart(slot.end),
    endTime: timePart(slot.end),
  };
}

/** The form for editing `record`; timed appointments are shown in the planner's `zone`. */
export function formFromRecord(record: AppointmentRecord, zone: string): AppointmentForm {
  const base = {
    title: record.title,
    resourceId: record.resource_id,
    location: record.location,
    notes: record.notes,
    showAs: record.show_as,
    isPrivate: record.sensitivity !== 'normal',
  };
  if (record.all_day) {
    const first = datePart(record.start);
    const exclusive = datePart(record.end);
    return {
      ...base,
      allDay: true,
      startDate: first,
      startTime: DEFAULT_START,
      endDate: exclusive > first ? addDays(exclusive, -1) : first,
      endTime: DEFAULT_END,
    };
  }
  const start = wallTimeAt(new Date(record.start), zone);
  const end = wallTimeAt(new Date(record.end), zone);
  return {
    ...base,
    allDay: false,
    startDate: datePart(start),
    startTime: timePart(start),
    endDate: datePart(end),
    endTime: timePart(end),
  };
}

/** Which field a problem is about, for focusing it. */
export type FormField = 'title' | 'resource' | 'start' | 'end' | 'repeat';

export interface FormProblem {
  field: FormField;
  message: string;
}

/** Quick checks before asking the backend; null when the form looks fine. */
export function checkForm(form: AppointmentForm): FormProblem | null {
  const title = form.title.trim();
  if (!title) return { field: 'title', message: 'Enter a title for the appointment.' };
  if (title.length > MAX_TITLE_CHARS)
    return { field: 'title', message: `The title is longer than ${MAX_TITLE_CHARS} characters.` };
  if (form.resourceId === null) return { field: 'resource', message: 'Choose a resource.' };
  if (!DATE_RE.test(form.startDate)) return { field: 'start', message: 'Enter a start date.' };
  if (!DATE_RE.test(form.endDate)) return { field: 'end', message: 'Enter an end date.' };
  if (form.allDay) {
    if (form.endDate < form.startDate)
      return { field: 'end', message: 'The last day cannot be before the first day.' };
    return null;
  }
  if (!TIME_RE.test(form.startTime)) return { field: 'start', message: 'Enter a start time.' };
  if (!TIME_RE.test(form.endTime)) return { field: 'end', message: 'Enter an end time.' };
  if (compareWall(endLocal(form), startLocal(form)) <= 0)
    return { field: 'end', message: 'The end must be after the start.' };
  return null;
}

function startLocal(form: AppointmentForm): string {
  return `${form.startDate}T${form.startTime}`;
}
function endLocal(form: AppointmentForm): string {
  return `${form.endDate}T${form.endTime}`;
}

/** When the form says, in the wire format: local times + zone, or dates with an exclusive end. */
function when(form: AppointmentForm, zone: string): { all_day: boolean; start: string; end: string; time_zone: string | null } {
  if (form.allDay) {
    return { all_day: true, start: form.startDate, end: addDays(form.endDate, 1), time_zone: null };
  }
  return { all_day: false, start: startLocal(form), end: endLocal(form), time_zone: zone };
}

function sensitivityOf(form: AppointmentForm): Sensitivity {
  return form.isPrivate ? 'private' : 'normal';
}

export function formToInput(form: AppointmentForm, zone: string): AppointmentInput {
  if (form.resourceId === null) throw new Error('A resource is required');
  return {
    resource_id: form.resourceId,
    title: form.title.trim(),
    ...when(form, zone),
    location: form.location.trim() || null,
    notes: form.notes.trim() ? form.notes : null,
    categories: [],
    show_as: form.showAs,
    sensitivity: sensitivityOf(form),
  };
}

/**
 * Only what the planner changed, compared with the form as it was opened for `original`.
 * Times are sent together (start, end, all-day and zone) whenever any of them changed, so the
 * backend never combines a new start with an old end of another kind.
 */
export function formToPatch(form: AppointmentForm, original: AppointmentRecord, zone: string): AppointmentPatch {
  const before = formFromRecord(original, zone);
  const timesChanged =
    form.allDay !== before.allDay ||
    form.startDate !== before.startDate ||
    form.endDate !== before.endDate ||
    (!form.allDay && (form.startTime !== before.startTime || form.endTime !== before.endTime));
  const w = when(form, zone);
  const title = form.title.trim();
  const location = form.location.trim();
  return {
    resource_id: form.resourceId !== null && form.resourceId !== original.resource_id ? form.resourceId : null,
    title: title !== original.title ? title : null,
    all_day: timesChanged ? w.all_day : null,
    start: timesChanged ? w.start : null,
    end: timesChanged ? w.end : null,
    time_zone: timesChanged ? w.time_zone : null,
    location: location !== original.location ? location : null,
    notes: form.notes !== original.notes ? form.notes : null,
    categories: null,
    show_as: form.showAs !== original.show_as ? form.showAs : null,
    sensitivity: form.isPrivate !== before.isPrivate ? sensitivityOf(form) : null,
  };
}

/** True when the patch changes nothing (saving can then just close the dialog). */
export function isEmptyPatch(patch: AppointmentPatch): boolean {
  return Object.values(patch).every((v) => v === null);
}

/** Keeps the range sensible when the start moves: the end follows, keeping the duration. */
export function shiftEndWithStart(form: AppointmentForm, previous: AppointmentForm): AppointmentForm {
  if (form.allDay) {
    if (form.startDate === previous.startDate || !DATE_RE.test(form.startDate) || !DATE_RE.test(previous.startDate))
      return form;
    const days = Math.round((Date.parse(form.startDate) - Date.parse(previous.startDate)) / 86400000);
    return DATE_RE.test(previous.endDate) ? { ...form, endDate: addDays(previous.endDate, days) } : form;
  }
  const prevStart = `${previous.startDate}T${previous.startTime}`;
  const prevEnd = `${previous.endDate}T${previous.endTime}`;
  const nextStart = `${form.startDate}T${form.startTime}`;
  if (!DATE_RE.test(form.startDate) || !TIME_RE.test(form.startTime)) return form;
  if (nextStart === prevStart) return form;
  if (!DATE_RE.test(previous.endDate) || !TIME_RE.test(previous.endTime)) return form;
  const duration = Date.parse(prevEnd + ':00Z') - Date.parse(prevStart + ':00Z');
  if (!(duration > 0)) return form;
  const end = new Date(Date.parse(nextStart + ':00Z') + duration).toISOString();
  return { ...form, endDate: end.slice(0, 10), endTime: end.slice(11, 16) };
}
