// The resource form (+ Resource and the Resource card's General tab) and the question before a
// deletion: what the planner typed, checked lightly (the backend has the last word), turned into
// NewResource, ResourcePatch or AppointmentsOnDelete.
import type { AppointmentsOnDelete } from '../bindings/AppointmentsOnDelete';
import type { NewResource } from '../bindings/NewResource';
import type { Planner } from '../bindings/Planner';
import type { Resource } from '../bindings/Resource';
import type { ResourceArchival } from '../bindings/ResourceArchival';
import type { ResourceId } from '../bindings/ResourceId';
import type { ResourceKind } from '../bindings/ResourceKind';
import type { ResourcePatch } from '../bindings/ResourcePatch';
import { KIND_LABELS } from './labels';
import { NO_RIGHT_MESSAGE } from './office365';

/**
 * Why the planner may not add, edit, archive, restore or delete resources (the sentence the core
 * refuses them with, and the Office 365 tab's), or null when they may.
 */
export function resourceGate(planner: Pick<Planner, 'may_edit_resource_settings'>): string | null {
  return planner.may_edit_resource_settings ? null : NO_RIGHT_MESSAGE;
}

export interface ResourceForm {
  kind: ResourceKind;
  name: string;
  email: string;
  colour: string;
  /** Working day, `HH:MM` each; both empty: the Scheduler's default day. */
  start: string;
  end: string;
}

/** A new resource's form: a room unless said otherwise, the next palette colour chosen by the backend. */
export function emptyResourceForm(kind: ResourceKind = 'room'): ResourceForm {
  return { kind, name: '', email: '', colour: '', start: '', end: '' };
}

export function formFromResource(resource: Resource): ResourceForm {
  return {
    kind: resource.kind,
    name: resource.name,
    email: resource.email ?? '',
    colour: resource.colour,
    start: resource.hours?.start ?? '',
    end: resource.hours?.end ?? '',
  };
}

/** The working hours as the backend reads them (`07:00-16:00`), or '' for the default day. */
export function hoursText(form: ResourceForm): string {
  const start = form.start.trim();
  const end = form.end.trim();
  return start || end ? `${start}-${end}` : '';
}

/** What keeps the form from being sent, in a sentence; null when it may go. */
export function formProblem(form: ResourceForm): string | null {
  if (!form.name.trim()) return 'Give the resource a name.';
  if (!form.start.trim() !== !form.end.trim()) {
    return 'Give both the start and the end of the working day, or neither.';
  }
  if (form.start.trim() && form.end.trim() && form.start.trim() >= form.end.trim()) {
    return 'The working day must start before it ends.';
  }
  return null;
}

export function toNewResource(form: ResourceForm): NewResource {
  return {
    name: form.name.trim(),
    email: form.email.trim() || null,
    kind: form.kind,
    colour: form.colour.trim() || null,
    hours: hoursText(form),
  };
}

/** Only what changed; an emptied e-mail or working day is sent as '' (cleared). */
export function toPatch(form: ResourceForm, resource: Resource): ResourcePatch {
  const before = formFromResource(resource);
  const patch: ResourcePatch = {};
  if (form.name.trim() !== before.name) patch.name = form.name.trim();
  if (form.email.trim() !== before.email) patch.email = form.email.trim();
  if (form.kind !== before.kind) patch.kind = form.kind;
  if (form.colour.trim() && form.colour.trim() !== before.colour) patch.colour = form.colour.trim();
  if (hoursText(form) !== hoursText(before)) patch.hours = hoursText(form);
  return patch;
}

export function isEmptyPatch(patch: ResourcePatch): boolean {
  return Object.keys(patch).length === 0;
}

/** The three answers to the question before a deletion. */
export type DeletionAnswer = 'keep' | 'move' | 'delete';

/** The answer as the backend takes it; null while "move" has no resource chosen. */
export function deletionChoice(answer: DeletionAnswer, moveTo: ResourceId | null): AppointmentsOnDelete | null {
  if (answer === 'move') return moveTo === null ? null : { action: 'move', to: moveTo };
  return { action: answer };
}

/** A resource's name, with its kind when another resource shown has the same name. */
export function resourceLabel(resource: Resource, all: readonly Resource[]): string {
  const twin = all.some(
    (other) => other.id !== resource.id && other.name.toLocaleLowerCase() === resource.name.toLocaleLowerCase(),
  );
  return twin ? `${resource.name} (${KIND_LABELS[resource.kind].toLocaleLowerCase()})` : resource.name;
}

/** Where a deleted resource's appointments may go: the others in the Scheduler, by label. */
export function moveTargets(all: readonly Resource[], leaving: ResourceId): { id: ResourceId; label: string }[] {
  return all
    .filter((r) => r.id !== leaving && !r.archived)
    .map((r) => ({ id: r.id, label: resourceLabel(r, all) }));
}

/** The toast after an archive: what left the Scheduler, what was kept, which accounts paused. */
export function archivedText(archival: ResourceArchival): string {
  const said = `Archived ${archival.resource.name}: it is out of the Scheduler; its appointments are kept (quick3 resource restore brings it back).`;
  return archival.accounts_message ? `${said} ${archival.accounts_message}` : said;
}

/** The toast after a restore, with the accounts that sync again (or stay paused). */
export function restoredText(archival: ResourceArchival): string {
  const said = `Restored ${archival.resource.name}: it is back in the Scheduler with its appointments.`;
  return archival.accounts_message ? `${said} ${archival.accounts_message}` : said;
}
