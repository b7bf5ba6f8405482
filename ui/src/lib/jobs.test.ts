import { describe, expect, it } from 'vitest';
import type { Job } from '../bindings/Job';
import { formFromJob, frequencyText, frequencyWarning, isDirty, newJobForm, shortcutOf, specFromForm } from './jobs';

const job: Job = {
  id: 4,
  name: 'Sync every hour',
  kind: 'synchronize_office365_calendars',
  frequency: { every: 2, unit: 'hours' },
  enabled: true,
  active_hours: { from_hour: 7, to_hour: 19 },
  scope: { kind: 'resources', resources: [3, 1] },
  notify: { emails: ['it@contoso.example', 'boss@contoso.example'], after_failures: 3, when_sign_in_needed: false },
  next_run_at: '2026-11-25T10:00:00Z',
  last_run: null,
  consecutive_failures: 0,
  frequency_warning: null,
};

describe('job form', () => {
  it('starts as the issue describes: the sync kind, every 60 minutes, all resources', () => {
    const result = specFromForm(newJobForm());
    expect(result).toEqual({
      spec: {
        name: 'Synchronize Office365 Calendars',
        kind: 'synchronize_office365_calendars',
        frequency: { every: 60, unit: 'minutes' },
        enabled: true,
        active_hours: null,
        scope: { kind: 'all_resources' },
        notify: { emails: [], after_failures: 1, when_sign_in_needed: true },
      },
    });
  });

  it('gives back the job it was made from', () => {
    const result = specFromForm(formFromJob(job));
    expect(result).toEqual({
      spec: {
        name: job.name,
        kind: job.kind,
        frequency: job.frequency,
        enabled: true,
        active_hours: job.active_hours,
        scope: job.scope,
        notify: job.notify,
      },
    });
  });

  it('reads several addresses and says what to fix', () => {
    const form = { ...newJobForm(), emails: 'a@contoso.example; b@contoso.example\nc@contoso.example' };
    const result = specFromForm(form);
    expect('spec' in result && result.spec.notify.emails).toEqual(['a@contoso.example', 'b@contoso.example', 'c@contoso.example']);
    expect(specFromForm({ ...newJobForm(), every: '0' })).toEqual({ error: 'Frequency: enter a whole number of at least 1.' });
    expect(specFromForm({ ...newJobForm(), every: 'often' })).toHaveProperty('error');
    expect(specFromForm({ ...newJobForm(), allResources: false })).toEqual({
      error: 'Resources: choose at least one, or all resources.',
    });
  });

  it('warns below 30 minutes only', () => {
    expect(frequencyWarning({ every: '15', unit: 'minutes' })).toMatch(/every 30 minutes/);
    expect(frequencyWarning({ every: '29', unit: 'minutes' })).not.toBeNull();
    expect(frequencyWarning({ every: '30', unit: 'minutes' })).toBeNull();
    expect(frequencyWarning({ every: '1', unit: 'hours' })).toBeNull();
    expect(frequencyText(job)).toBe('Every 2 hours');
    expect(frequencyText({ frequency: { every: 1, unit: 'days' } })).toBe('Every day');
  });

  it('marks unsaved changes, and none after changing back', () => {
    const saved = formFromJob(job);
    const form = { ...saved };
    expect(isDirty(form, saved)).toBe(false);
    form.every = '15';
    expect(isDirty(form, saved)).toBe(true);
    form.every = '2';
    expect(isDirty(form, saved)).toBe(false);
    expect(isDirty({ ...saved, resources: [1, 3] }, saved)).toBe(false);
  });
});

describe('keyboard shortcuts', () => {
  const key = (k: string, mods: Partial<KeyboardEvent> = {}) => ({
    key: k,
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    ...mods,
  });
  it('Alt+H opens the home menu; Ctrl+S and ⌘S save; plain letters do nothing', () => {
    expect(shortcutOf(key('h', { altKey: true }))).toBe('home-menu');
    expect(shortcutOf({ ...key('˙', { altKey: true }), code: 'KeyH' })).toBe('home-menu');
    expect(shortcutOf(key('s', { ctrlKey: true }))).toBe('save');
    expect(shortcutOf(key('S', { metaKey: true }))).toBe('save');
    expect(shortcutOf(key('h'))).toBeNull();
    expect(shortcutOf(key('s'))).toBeNull();
    expect(shortcutOf(key('s', { ctrlKey: true, shiftKey: true }))).toBeNull();
  });
});
