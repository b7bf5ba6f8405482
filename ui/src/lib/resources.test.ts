import { describe, expect, it } from 'vitest';
import type { Resource } from '../bindings/Resource';
import {
  archivedText,
  deletionChoice,
  emptyResourceForm,
  formFromResource,
  formProblem,
  isEmptyPatch,
  moveTargets,
  resourceGate,
  resourceLabel,
  restoredText,
  toNewResource,
  toPatch,
} from './resources';
import { NO_RIGHT_MESSAGE } from './office365';

function resource(over: Partial<Resource> = {}): Resource {
  return {
    id: 1,
    name: 'Boardroom',
    email: null,
    kind: 'room',
    colour: '#1f6fb2',
    hours: { start: '07:00', end: '16:00' },
    archived: false,
    ...over,
  };
}

describe('the resource form', () => {
  it('sends a new room with its working day, empty fields as null', () => {
    const form = { ...emptyResourceForm(), name: '  Lab ', start: '08:00', end: '17:00' };
    expect(toNewResource(form)).toEqual({ name: 'Lab', email: null, kind: 'room', colour: null, hours: '08:00-17:00' });
    expect(toNewResource({ ...form, start: '', end: '' }).hours).toBe('');
  });

  it('says what keeps it from being sent', () => {
    const form = { ...emptyResourceForm(), name: 'Lab' };
    expect(formProblem(form)).toBeNull();
    expect(formProblem({ ...form, name: ' ' })).toBe('Give the resource a name.');
    expect(formProblem({ ...form, start: '08:00' })).toBe(
      'Give both the start and the end of the working day, or neither.',
    );
    expect(formProblem({ ...form, start: '17:00', end: '08:00' })).toBe('The working day must start before it ends.');
  });

  it('patches only what changed, and clears an emptied e-mail or day', () => {
    const stored = resource({ email: 'boardroom@contoso.example' });
    const form = formFromResource(stored);
    expect(isEmptyPatch(toPatch(form, stored))).toBe(true);
    expect(toPatch({ ...form, name: 'Main boardroom' }, stored)).toEqual({ name: 'Main boardroom' });
    expect(toPatch({ ...form, email: '', start: '', end: '' }, stored)).toEqual({ email: '', hours: '' });
    expect(toPatch({ ...form, kind: 'equipment', end: '18:00' }, stored)).toEqual({
      kind: 'equipment',
      hours: '07:00-18:00',
    });
  });
});

describe('the question before a deletion', () => {
  it('turns the answer into what the backend takes; move needs a resource', () => {
    expect(deletionChoice('keep', null)).toEqual({ action: 'keep' });
    expect(deletionChoice('delete', 3)).toEqual({ action: 'delete' });
    expect(deletionChoice('move', null)).toBeNull();
    expect(deletionChoice('move', 3)).toEqual({ action: 'move', to: 3 });
  });

  it('offers the other resources in the Scheduler, naming the kind where two share a name', () => {
    const all = [
      resource(),
      resource({ id: 2, name: 'Lab', kind: 'room' }),
      resource({ id: 3, name: 'lab', kind: 'person' }),
      resource({ id: 4, name: 'Cellar', archived: true }),
    ];
    expect(moveTargets(all, 1)).toEqual([
      { id: 2, label: 'Lab (room)' },
      { id: 3, label: 'lab (person)' },
    ]);
    expect(resourceLabel(all[0], all)).toBe('Boardroom');
  });
});

describe('the right to edit Resource settings', () => {
  it('lets a planner with the right add and change resources', () => {
    expect(resourceGate({ may_edit_resource_settings: true })).toBeNull();
  });

  it('tells a planner without it why, in the sentence the Office 365 tab and the core use', () => {
    expect(resourceGate({ may_edit_resource_settings: false })).toBe(NO_RIGHT_MESSAGE);
    expect(NO_RIGHT_MESSAGE).toBe(
      'You do not have the right to edit Resource settings. Ask your local management to grant it.',
    );
  });
});

describe('archiving and restoring', () => {
  const archival = (accounts_message: string | null) => ({ resource: resource(), accounts: [], kept_paused: [], accounts_message });

  it('says which accounts the archive paused, after what stays', () => {
    expect(archivedText(archival('Paused its Microsoft 365 account b@contoso.example: it is no longer syncing while the room is archived; restoring it resumes it.'))).toBe(
      'Archived Boardroom: it is out of the Scheduler; its appointments are kept (quick3 resource restore brings it back). Paused its Microsoft 365 account b@contoso.example: it is no longer syncing while the room is archived; restoring it resumes it.',
    );
    expect(archivedText(archival(null))).toBe(
      'Archived Boardroom: it is out of the Scheduler; its appointments are kept (quick3 resource restore brings it back).',
    );
  });

  it('says which accounts sync again after a restore', () => {
    expect(restoredText(archival('Its Microsoft 365 account b@contoso.example (Down) syncs again as before.'))).toBe(
      'Restored Boardroom: it is back in the Scheduler with its appointments. Its Microsoft 365 account b@contoso.example (Down) syncs again as before.',
    );
    expect(restoredText(archival(null))).toBe('Restored Boardroom: it is back in the Scheduler with its appointments.');
  });
});
