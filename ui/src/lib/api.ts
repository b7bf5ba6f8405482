// The one typed door to the Tauri backend: every command the UI uses, with its argument
// names and result types from the generated bindings. Errors always come out as ErrorPayload.
import { invoke, isTauri } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { DateFormat } from '../bindings/DateFormat';
import type { Account } from '../bindings/Account';
import type { AccountId } from '../bindings/AccountId';
import type { AccountRow } from '../bindings/AccountRow';
import type { RemovedAccount } from '../bindings/RemovedAccount';
import type { AppointmentId } from '../bindings/AppointmentId';
import type { AppointmentInput } from '../bindings/AppointmentInput';
import type { AppointmentPatch } from '../bindings/AppointmentPatch';
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { AppointmentRecord } from '../bindings/AppointmentRecord';
import type { CalendarChoice } from '../bindings/CalendarChoice';
import type { CalendarsChosen } from '../bindings/CalendarsChosen';
import type { ConflictOutcome } from '../bindings/ConflictOutcome';
import type { ConflictRecord } from '../bindings/ConflictRecord';
import type { Keep } from '../bindings/Keep';
import type { ChangeRecord } from '../bindings/ChangeRecord';
import type { JournalRun } from '../bindings/JournalRun';
import type { RunChanges } from '../bindings/RunChanges';
import type { SyncRunId } from '../bindings/SyncRunId';
import type { AccountPreview } from '../bindings/AccountPreview';
import type { Direction } from '../bindings/Direction';
import { ErrorCode } from '../bindings/ErrorCode';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { MailboxLookup } from '../bindings/MailboxLookup';
import type { NewAccount } from '../bindings/NewAccount';
import type { NewOrgLink } from '../bindings/NewOrgLink';
import type { OrgSettings } from '../bindings/OrgSettings';
import type { OrgSettingsRecord } from '../bindings/OrgSettingsRecord';
import type { OrgTestReport } from '../bindings/OrgTestReport';
import type { Overview } from '../bindings/Overview';
import type { Repeat } from '../bindings/Repeat';
import type { Resource } from '../bindings/Resource';
import type { NewResource } from '../bindings/NewResource';
import type { ResourcePatch } from '../bindings/ResourcePatch';
import type { ResourceArchival } from '../bindings/ResourceArchival';
import type { ResourceUse } from '../bindings/ResourceUse';
import type { RemovedResource } from '../bindings/RemovedResource';
import type { AppointmentsOnDelete } from '../bindings/AppointmentsOnDelete';
import type { ResourceId } from '../bindings/ResourceId';
import type { SeriesEditRecord } from '../bindings/SeriesEditRecord';
import type { SeriesEditUndoneRecord } from '../bindings/SeriesEditUndoneRecord';
import type { SeriesSingleRecord } from '../bindings/SeriesSingleRecord';
import type { SeriesInput } from '../bindings/SeriesInput';
import type { SignInResult } from '../bindings/SignInResult';
import type { Job } from '../bindings/Job';
import type { JobId } from '../bindings/JobId';
import type { JobRun } from '../bindings/JobRun';
import type { JobSpec } from '../bindings/JobSpec';
import type { SmtpSettings } from '../bindings/SmtpSettings';
import type { SyncProgress } from '../bindings/SyncProgress';
import type { SyncSummary } from '../bindings/SyncSummary';
import type { BackgroundStatus } from '../bindings/BackgroundStatus';
import type { JobFinished } from '../bindings/JobFinished';
import type { SyncFinished } from '../bindings/SyncFinished';

export type { BackgroundStatus, JobFinished, SyncFinished };

/** The event the backend sends when a Microsoft sign-in answer was used. */
export const SIGN_IN_EVENT = 'account-sign-in';

const UNAVAILABLE: ErrorPayload = {
  code: ErrorCode.BackendUnavailable,
  message:
    'Cannot reach the Quick3 backend. Open Quick3 Planner from its desktop app rather than a web browser.',
};

function isErrorPayload(value: unknown): value is ErrorPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === 'string' &&
    typeof (value as Record<string, unknown>).message === 'string'
  );
}

/** Whatever a command rejected with, as `{ code, message }` with a sentence people can read. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (isErrorPayload(error)) return error;
  if (typeof error === 'string' && error.trim()) return { code: ErrorCode.Unknown, message: error.trim() };
  if (error instanceof Error && error.message) return { code: ErrorCode.Unknown, message: error.message };
  return { code: ErrorCode.Unknown, message: 'Something went wrong. Please try again.' };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!isTauri()) throw UNAVAILABLE;
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toErrorPayload(error);
  }
}

async function subscribe<T>(event: string, handler: (payload: T) => void): Promise<() => void> {
  if (!isTauri()) return () => {};
  return listen<T>(event, (e) => handler(e.payload));
}

export const api = {
  overview: () => call<Overview>('overview'),
  listResources: () => call<Resource[]>('list_resources'),
  addResource: (newResource: NewResource) => call<Resource>('add_resource', { new: newResource }),
  editResource: (resourceId: ResourceId, patch: ResourcePatch) =>
    call<Resource>('edit_resource', { resourceId, patch }),
  /** Out of the Scheduler, its appointments kept, its accounts paused; `restoreResource` brings it back. */
  archiveResource: (resourceId: ResourceId) => call<ResourceArchival>('archive_resource', { resourceId }),
  /** Back in the Scheduler, its accounts syncing as before the archive. */
  restoreResource: (resourceId: ResourceId) => call<ResourceArchival>('restore_resource', { resourceId }),
  archivedResources: () => call<Resource[]>('archived_resources'),
  /** What the question before a deletion names (appointments, Outlook, accounts). */
  resourceUse: (resourceId: ResourceId) => call<ResourceUse>('resource_use', { resourceId }),
  deleteResource: (resourceId: ResourceId, appointments: AppointmentsOnDelete) =>
    call<RemovedResource>('delete_resource', { resourceId, appointments }),
  /** The cards of the appointments overlapping [from, to); both RFC 3339 instants. */
  listAppointments: (from: string, to: string) =>
    call<AppointmentCard[]>('list_appointments', { from, to }),
  /** One appointment in full (for the dialog), as the planner may see it. */
  getAppointment: (id: AppointmentId) => call<AppointmentRecord>('get_appointment', { id }),
  createAppointment: (input: AppointmentInput) =>
    call<AppointmentRecord>('create_appointment', { input }),
  editAppointment: (id: AppointmentId, patch: AppointmentPatch) =>
    call<AppointmentRecord>('edit_appointment', { id, patch }),
  deleteAppointment: (id: AppointmentId) => call<null>('delete_appointment', { id }),
  restoreAppointment: (id: AppointmentId) =>
    call<AppointmentRecord>('restore_appointment', { id }),
  /** Makes a series; answers its master. */
  createSeries: (input: SeriesInput) => call<AppointmentRecord>('create_series', { input }),
  /** Changes the whole series; `repeat` null keeps its pattern. */
  editSeries: (id: AppointmentId, patch: AppointmentPatch, repeat: Repeat | null) =>
    call<SeriesEditRecord>('edit_series', { id, patch, repeat }),
  /** Undoes a whole-series edit that changed its times or pattern (`undo` from its answer): the master's times and the occurrences it reset come back. */
  undoSeriesEdit: (id: AppointmentId, undo: number) => call<SeriesEditUndoneRecord>('undo_series_edit', { id, undo }),
  /** Whether that whole-series edit would send changed occurrences back to the pattern (writes nothing). */
  seriesEditResets: (id: AppointmentId, patch: AppointmentPatch, repeat: Repeat | null) =>
    call<boolean>('series_edit_resets', { id, patch, repeat }),
  /** What making the series one appointment (Repeat Never) removes, in one sentence (writes nothing). */
  seriesSingleSentence: (id: AppointmentId, patch: AppointmentPatch) =>
    call<string>('series_single_sentence', { id, patch }),
  /** Makes the series one appointment at its first occurrence; its other occurrences go. */
  makeSeriesSingle: (id: AppointmentId, patch: AppointmentPatch) =>
    call<SeriesSingleRecord>('make_series_single', { id, patch }),
  /** Takes that back: the series returns with its changed occurrences; answers its master. */
  restoreSeries: (single: AppointmentId) => call<AppointmentRecord>('restore_series', { single }),
  /** One occurrence in full, named by its series and original start (RFC 3339). */
  getOccurrence: (seriesId: AppointmentId, occurrence: string) =>
    call<AppointmentRecord>('get_occurrence', { seriesId, occurrence }),
  /** Changes one occurrence; it becomes an exception. */
  editOccurrence: (seriesId: AppointmentId, occurrence: string, patch: AppointmentPatch) =>
    call<AppointmentRecord>('edit_occurrence', { seriesId, occurrence, patch }),
  /** Deletes one occurrence; `restoreAppointment(occurrence's id)` undoes it. */
  deleteOccurrence: (seriesId: AppointmentId, occurrence: string) =>
    call<null>('delete_occurrence', { seriesId, occurrence }),
  /** The plain sentence for a pattern starting on `start` (the CLI says the same). */
  describeRepeat: (start: string, repeat: Repeat) => call<string>('describe_repeat', { start, repeat }),
  /** Chooses the zone the Scheduler shows times in (null: the machine's); answers the zone in force. */
  setDisplayTimeZone: (zone: string | null) => call<string>('set_display_time_zone', { zone }),
  /** Chooses how dates and times are written (nulls: the system's); answers the format in force. */
  setDateFormat: (format: DateFormat) => call<DateFormat>('set_date_format', { format }),
  listAccounts: (resourceId: ResourceId) => call<AccountRow[]>('list_accounts', { resourceId }),
  /** Every resource's accounts at once (for the Scheduler's origin badges). */
  allAccounts: () => call<Account[]>('all_accounts'),
  /** Adds the account and opens Microsoft's sign-in page in the system browser. */
  addAccount: (account: NewAccount) => call<Account>('add_account', { new: account }),
  signInAgain: (accountId: AccountId) => call<null>('sign_in_again', { accountId }),
  cancelSignIn: (accountId: AccountId) => call<null>('cancel_sign_in', { accountId }),
  /** The account's calendars as its last sync listed them, and which are synced. */
  accountCalendars: (accountId: AccountId) => call<CalendarChoice[]>('account_calendars', { accountId }),
  /** Syncs exactly these calendars (ids); the others leave the Scheduler with their appointments. */
  chooseCalendars: (accountId: AccountId, calendarIds: string[]) =>
    call<CalendarsChosen>('choose_calendars', { accountId, calendarIds }),
  /** The open sync conflicts: appointments changed both in Quick3 and in Outlook, with both versions. */
  syncConflicts: () => call<ConflictRecord[]>('sync_conflicts'),
  /** Settles one conflict: keep Quick3's, Outlook's or both versions. */
  resolveConflict: (conflictId: number, keep: Keep) => call<ConflictOutcome>('resolve_conflict', { conflictId, keep }),
  /** The newest sync runs of an account (all accounts without one), newest first. */
  syncRuns: (accountId: AccountId | null, limit?: number) =>
    call<JournalRun[]>('sync_runs', { accountId, limit: limit ?? null }),
  /** A sync run and the changes it made. */
  syncRunChanges: (runId: SyncRunId) => call<RunChanges>('sync_run_changes', { runId }),
  /** Undo this run: what it would do (`dryRun`), or puts back what the run changed on both sides. */
  undoSyncRun: (runId: SyncRunId, dryRun: boolean) => call<SyncSummary>('undo_sync_run', { runId, dryRun }),
  /** Preview changes: what a sync would change now, per account, grouped by side and kind. */
  previewSync: (target: { accountId?: AccountId; resourceId?: ResourceId }) =>
    call<AccountPreview[]>('preview_sync', {
      accountId: target.accountId ?? null,
      resourceId: target.resourceId ?? null,
    }),
  /** An appointment's own recent changes by syncs, newest first. */
  appointmentHistory: (id: AppointmentId) => call<ChangeRecord[]>('appointment_history', { id }),
  /** Resolves when the OS keyring answers; rejects with what to do when it does not. */
  keyringStatus: () => call<null>('keyring_status'),
  editAccount: (accountId: AccountId, direction: Direction, scopes: string[]) =>
    call<Account>('edit_account', { accountId, direction, scopes }),
  setMainAccount: (accountId: AccountId) => call<Account>('set_main_account', { accountId }),
  removeAccount: (accountId: AccountId, keepAppointments: boolean) =>
    call<RemovedAccount>('remove_account', { accountId, keepAppointments }),
  /** Sync Calendar: one account, a resource's accounts, or all; progress arrives through onSyncProgress. */
  syncCalendar: (scope: { accountId?: AccountId; resourceId?: ResourceId }, allowMassDelete = false) =>
    call<SyncSummary[]>('sync_calendar', {
      accountId: scope.accountId ?? null,
      resourceId: scope.resourceId ?? null,
      allowMassDelete,
    }),
  /** After an edit: uploads the resource's changes in the background; answers whether one started. */
  pushChanges: (resourceId: ResourceId) => call<boolean>('push_changes', { resourceId }),
  backgroundStatus: () => call<BackgroundStatus>('background_status'),
  /** Start with the session on or off (the desktop's autostart entry); answers whether it is on. */
  startWithSession: (on: boolean) => call<boolean>('start_with_session', { on }),
  /** Closes the window after the close notice (no tray: the app quits). */
  closeWindow: () => call<null>('close_window'),
  /** The view preferences kept in the app's store (key → the page's own text). */
  viewPrefs: () => call<Record<string, string>>('view_prefs'),
  /** Keeps a batch of view preferences (lib/prefs sends one at a time). */
  saveViewPrefs: (values: Record<string, string>) => call<null>('save_view_prefs', { values }),
  listJobs: () => call<Job[]>('list_jobs'),
  addJob: (spec: JobSpec) => call<Job>('add_job', { spec }),
  editJob: (jobId: JobId, spec: JobSpec) => call<Job>('edit_job', { jobId, spec }),
  removeJob: (jobId: JobId) => call<null>('remove_job', { jobId }),
  jobRuns: (jobId: JobId) => call<JobRun[]>('job_runs', { jobId }),
  runJobNow: (jobId: JobId) => call<Job | null>('run_job_now', { jobId }),
  smtpSettings: () => call<SmtpSettings | null>('smtp_settings'),
  /** `password` null keeps the one in the OS keyring. */
  saveSmtpSettings: (settings: SmtpSettings, password: string | null) =>
    call<SmtpSettings>('save_smtp_settings', { settings, password }),
  sendTestMail: (to: string) => call<null>('send_test_mail', { to }),
  /** Client settings → Office 365 (administrators only); null until entered. */
  orgSettings: () => call<OrgSettingsRecord | null>('org_settings'),
  /** `secret` null keeps the one in the OS keyring; `certificateFile` (a PEM file with the
   * certificate and its private key) is imported with the certificate credential, null keeps it. */
  saveOrgSettings: (settings: OrgSettings, secret: string | null, certificateFile: string | null = null) =>
    call<OrgSettingsRecord>('save_org_settings', { settings, secret, certificateFile }),
  testOrgSettings: () => call<OrgTestReport>('test_org_settings'),
  /** Finds a mailbox by Object ID or e-mail (nothing is linked yet). */
  lookUpMailbox: (reference: string) => call<MailboxLookup>('look_up_mailbox', { reference }),
  linkMailbox: (link: NewOrgLink) => call<Account>('link_mailbox', { link }),
  unlinkMailbox: (accountId: AccountId, keepAppointments: boolean) =>
    call<Account>('unlink_mailbox', { accountId, keepAppointments }),
  onSyncProgress: (handler: (p: SyncProgress) => void) => subscribe<SyncProgress>('sync-progress', handler),
  onSyncFinished: (handler: (f: SyncFinished) => void) => subscribe<SyncFinished>('sync-finished', handler),
  onJobFinished: (handler: (f: JobFinished) => void) => subscribe<JobFinished>('job-finished', handler),
  /** The window's close button was clicked and no tray keeps the app: say what closing stops. */
  onCloseNotice: (handler: () => void) => subscribe<null>('close-notice', () => handler()),
  /** Calls `handler` with every sign-in answer; returns the function that stops listening. */
  onSignIn: async (handler: (result: SignInResult) => void): Promise<() => void> => {
    if (!isTauri()) return () => {};
    return listen<SignInResult>(SIGN_IN_EVENT, (event) => handler(event.payload));
  },
};

export type Api = typeof api;
