// Settings → Scheduled jobs: the job form and its JobSpec, unsaved-change tracking and the
// keyboard shortcuts of the settings screens.
import type { FrequencyUnit } from '../bindings/FrequencyUnit';
import type { Job } from '../bindings/Job';
import type { JobKind } from '../bindings/JobKind';
import type { JobRun } from '../bindings/JobRun';
import type { JobSpec } from '../bindings/JobSpec';
import type { ResourceId } from '../bindings/ResourceId';

export const JOB_KIND_LABELS: Record<JobKind, string> = {
  synchronize_office365_calendars: 'Synchronize Office365 Calendars',
};

export const UNIT_LABELS: Record<FrequencyUnit, [string, string]> = {
  minutes: ['minute', 'minutes'],
  hours: ['hour', 'hours'],
  days: ['day', 'days'],
};

/** The form as the planner edits it (strings where people type). */
export interface JobForm {
  name: string;
  kind: JobKind;
  every: string;
  unit: FrequencyUnit;
  enabled: boolean;
  limitHours: boolean;
  fromHour: number;
  toHour: number;
  allResources: boolean;
  resources: ResourceId[];
  emails: string;
  afterFailures: string;
  whenSignInNeeded: boolean;
}

export function newJobForm(): JobForm {
  return {
    name: JOB_KIND_LABELS.synchronize_office365_calendars,
    kind: 'synchronize_office365_calendars',
    every: '60',
    unit: 'minutes',
    enabled: true,
    limitHours: false,
    fromHour: 7,
    toHour: 19,
    allResources: true,
    resources: [],
    emails: '',
    afterFailures: '1',
    whenSignInNeeded: true,
  };
}

export function formFromJob(job: Job): JobForm {
  return {
    name: job.name,
    kind: job.kind,
    every: String(job.frequency.every),
    unit: job.frequency.unit,
    enabled: job.enabled,
    limitHours: job.active_hours !== null,
    fromHour: job.active_hours?.from_hour ?? 7,
    toHour: job.active_hours?.to_hour ?? 19,
    allResources: job.scope.kind === 'all_resources',
    resources: job.scope.kind === 'resources' ? [...job.scope.resources] : [],
    emails: job.notify.emails.join(', '),
    afterFailures: String(job.notify.after_failures),
    whenSignInNeeded: job.notify.when_sign_in_needed,
  };
}

const MINUTES: Record<FrequencyUnit, number> = { minutes: 1, hours: 60, days: 24 * 60 };

function wholeNumber(text: string): number | null {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : null;
}

/** The form as the backend takes it, or the first thing to fix. The backend checks again. */
export function specFromForm(form: JobForm): { spec: JobSpec } | { error: string } {
  const every = wholeNumber(form.every);
  if (every === null || every < 1) return { error: 'Frequency: enter a whole number of at least 1.' };
  if (!form.name.trim()) return { error: 'Name: it must not be empty.' };
  if (form.limitHours && form.fromHour === form.toHour) return { error: 'Active hours: "from" and "to" must differ.' };
  const afterFailures = wholeNumber(form.afterFailures);
  if (afterFailures === null || afterFailures < 1) return { error: 'E-mail after: enter a number of failures of at least 1.' };
  if (!form.allResources && form.resources.length === 0) return { error: 'Resources: choose at least one, or all resources.' };
  return {
    spec: {
      name: form.name.trim(),
      kind: form.kind,
      frequency: { every, unit: form.unit },
      enabled: form.enabled,
      active_hours: form.limitHours ? { from_hour: form.fromHour, to_hour: form.toHour } : null,
      scope: form.allResources ? { kind: 'all_resources' } : { kind: 'resources', resources: [...form.resources] },
      notify: {
        emails: form.emails.split(/[\s,;]+/).filter(Boolean),
        after_failures: afterFailures,
        when_sign_in_needed: form.whenSignInNeeded,
      },
    },
  };
}

/** Below 30 minutes: why not (Microsoft may take it for an attack). */
export function frequencyWarning(form: Pick<JobForm, 'every' | 'unit'>): string | null {
  const every = wholeNumber(form.every);
  if (every === null || every < 1) return null;
  return every * MINUTES[form.unit] < 30
    ? 'Microsoft may treat calls more often than every 30 minutes as an attack and throttle them; run this job every 30 minutes or less often.'
    : null;
}

/** Whether the form differs from what was loaded (the "unsaved changes" mark). */
export function isDirty(form: JobForm, saved: JobForm): boolean {
  const norm = (f: JobForm) => JSON.stringify({ ...f, name: f.name.trim(), resources: [...f.resources].sort() });
  return norm(form) !== norm(saved);
}

/** "Every 60 minutes", "Every day". */
export function frequencyText(job: Pick<Job, 'frequency'>): string {
  const { every, unit } = job.frequency;
  const [one, many] = UNIT_LABELS[unit];
  return every === 1 ? `Every ${one}` : `Every ${every} ${many}`;
}

/** "Succeeded", "Failed: …", "Running…" */
export function runResultText(run: JobRun | null): string {
  if (!run) return 'Never run';
  if (run.result === 'running') return 'Running…';
  if (run.result === 'succeeded') return 'Succeeded';
  return run.error ? `Failed: ${run.error}` : 'Failed';
}

/** "added 12, updated 0, deleted 0" from a run's counts (requests and accounts left out). */
export function countsText(run: JobRun): string {
  const shown = ['added', 'updated', 'deleted', 'conflicts'];
  return shown
    .filter((k) => k in run.counts)
    .map((k) => `${k} ${run.counts[k]}`)
    .join(', ');
}

export type Shortcut = 'home-menu' | 'save' | null;

/** Alt+H opens the home menu; Ctrl+S (⌘S) saves. */
export function shortcutOf(
  event: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey'> & { code?: string },
): Shortcut {
  // With Alt, some layouts report another character: the physical key decides then.
  const key = event.code?.startsWith('Key') ? event.code.slice(3).toLowerCase() : event.key.toLowerCase();
  if (event.altKey && !event.ctrlKey && !event.metaKey && key === 'h') return 'home-menu';
  if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && key === 's') return 'save';
  return null;
}
