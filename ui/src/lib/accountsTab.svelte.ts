// The Office 365 tab's state and what its actions do: the resource's accounts as the backend has
// them, the last sign-in answer per account, a notice, an error, which dialog is open (account,
// Link mailbox, calendars, remove, the mass-delete question) and the sync's progress and summary.
// The backend is passed in, so Vitest tests it without a DOM; the tab's components only draw it.
import type { AccountRow } from '../bindings/AccountRow';
import type { CalendarsChosen } from '../bindings/CalendarsChosen';
import { ErrorCode } from '../bindings/ErrorCode';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { SignInResult } from '../bindings/SignInResult';
import type { SyncProgress } from '../bindings/SyncProgress';
import type { SyncSummary } from '../bindings/SyncSummary';
import type { AccountChoice } from '../components/AccountDialog.svelte';
import type { MenuItem } from '../components/MenuButton.svelte';
import type { api } from './api';
import { progressText } from './sync';

/** The backend calls the tab makes (lib/api's). */
export type AccountsBackend = Pick<
  typeof api,
  | 'listAccounts'
  | 'syncCalendar'
  | 'editAccount'
  | 'addAccount'
  | 'removeAccount'
  | 'unlinkMailbox'
  | 'setMainAccount'
  | 'signInAgain'
  | 'cancelSignIn'
>;

export type SyncTarget = { accountId?: number; resourceId?: number };

export class AccountsTab {
  /** Null while the first answer is awaited. */
  accounts: AccountRow[] | null = $state(null);
  /** Activity (the sync journal) is open. */
  activity = $state(false);
  /** Preview changes is open for this sync. */
  previewing: SyncTarget | null = $state(null);
  error: ErrorPayload | null = $state(null);
  notice = $state('');
  /** The last sign-in answer per account, shown under its row until the next action on it. */
  answers: Record<number, SignInResult> = $state({});
  /** The account dialog: null closed, `{ account: null }` for +. */
  dialog: { account: AccountRow | null } | null = $state(null);
  /** The account the remove dialog asks about. */
  removing: AccountRow | null = $state(null);
  /** The account whose calendars are being chosen. */
  choosing: AccountRow | null = $state(null);
  /** Link mailbox (organisation mode) is open. */
  linking = $state(false);
  /** The account whose approval link was copied last. */
  copied: number | null = $state(null);
  /** While a sync runs: where it is, in words. */
  syncing: string | null = $state(null);
  syncSummaries: SyncSummary[] | null = $state(null);
  /** A sync the mass-delete guard stopped: the question to ask. */
  massDelete: SyncSummary | null = $state(null);

  /** `resourceId` reads the resource shown now (an answer for another one is dropped). */
  constructor(
    private readonly backend: AccountsBackend,
    private readonly resourceId: () => number,
  ) {}

  /** Another resource (or the tab opened): its accounts from scratch. */
  reset(): Promise<void> {
    this.accounts = null;
    this.error = null;
    return this.load();
  }

  /** Whether `error` is the table's own (a failed load), which the next load that works clears. */
  private loadFailed = false;

  /** Shows the table as the backend has it; an action's error (a failed sync) stays shown. */
  async load() {
    const id = this.resourceId();
    try {
      const list = await this.backend.listAccounts(id);
      if (id === this.resourceId()) {
        this.accounts = [...list].sort((a, b) => Number(a.position) - Number(b.position));
        if (this.loadFailed) this.error = null;
        this.loadFailed = false;
      }
    } catch (e) {
      this.error = e as ErrorPayload;
      this.loadFailed = true;
    }
  }

  async syncCalendar(target: SyncTarget, allowMassDelete = false) {
    if (this.syncing !== null) return;
    this.syncing = 'Starting the sync…';
    this.syncSummaries = null;
    this.notice = '';
    this.error = null;
    try {
      const summaries = await this.backend.syncCalendar(target, allowMassDelete);
      this.syncSummaries = summaries;
      this.massDelete = summaries.find((s) => s.mass_delete_blocked !== null) ?? null;
    } catch (e) {
      this.error = e as ErrorPayload;
    } finally {
      this.syncing = null;
    }
    await this.load();
  }

  /** Apply in Preview changes: the sync previewed. */
  applyPreview(): Promise<void> {
    const target = this.previewing;
    this.previewing = null;
    return target ? this.syncCalendar(target) : Promise.resolve();
  }

  /** Yes to the mass-delete question: the stopped account synced again, deletions allowed. */
  confirmMassDelete(): Promise<void> {
    const blocked = this.massDelete;
    this.massDelete = null;
    return blocked ? this.syncCalendar({ accountId: blocked.account_id }, true) : Promise.resolve();
  }

  /** A sign-in finished (or failed): its answer under its row, and the table anew. */
  signedIn(result: SignInResult): Promise<void> {
    if (result.account_id !== null) this.answers[result.account_id] = result;
    return this.load();
  }

  /** Progress of the sync this tab started. */
  progressed(p: SyncProgress) {
    if (this.syncing !== null) this.syncing = progressText(p);
  }

  /** Any other sync finished (an upload after an edit, a scheduled run): the last-sync column. */
  otherSyncFinished(): Promise<void> {
    return this.syncing === null ? this.load() : Promise.resolve();
  }

  /** Forgets an account's sign-in answer and the notice (a new action on it). */
  forget(id: number) {
    delete this.answers[id];
    this.notice = '';
  }

  /** Runs an action on an account, then shows the table as the backend has it. */
  async act(id: number, action: () => Promise<unknown>) {
    this.forget(id);
    this.error = null;
    try {
      await action();
    } catch (e) {
      this.error = e as ErrorPayload;
    }
    await this.load();
  }

  cancelSignIn(account: AccountRow) {
    return this.act(account.id, () => this.backend.cancelSignIn(account.id));
  }

  signInAgain(account: AccountRow) {
    return this.act(account.id, () => this.backend.signInAgain(account.id));
  }

  openAdd() {
    this.notice = '';
    this.dialog = { account: null };
  }

  openLink() {
    this.notice = '';
    this.linking = true;
  }

  /**
   * The account dialog's Save: the edit, or the new account (whose sign-in opens the browser).
   * Throws what the dialog shows; an account added without a browser closes it with a notice.
   */
  async saveDialog(choice: AccountChoice) {
    const editing = this.dialog?.account;
    if (editing) {
      await this.backend.editAccount(editing.id, choice.direction, choice.scopes);
      this.forget(editing.id);
    } else {
      try {
        const account = await this.backend.addAccount({ resource_id: this.resourceId(), ...choice });
        this.forget(account.id);
      } catch (e) {
        // The account was added but the browser did not open: say where to sign in.
        if ((e as ErrorPayload).code !== ErrorCode.BrowserUnavailable) throw e;
        this.notice = (e as ErrorPayload).message;
      }
    }
    this.dialog = null;
    await this.load();
  }

  /** The remove dialog's answer: the account (or organisation link) goes, its appointments too or not. */
  async remove(keepAppointments: boolean) {
    const account = this.removing;
    this.removing = null;
    if (account)
      await this.act(account.id, async () => {
        if (account.organisation) {
          await this.backend.unlinkMailbox(account.id, keepAppointments);
          return;
        }
        const removed = await this.backend.removeAccount(account.id, keepAppointments);
        if (removed.warning) this.notice = removed.warning;
      });
  }

  /** Link mailbox linked one. */
  linked(): Promise<void> {
    this.linking = false;
    return this.load();
  }

  /** The calendars dialog saved: what left the Scheduler is said. */
  calendarsChosen(chosen: CalendarsChosen): Promise<void> {
    this.choosing = null;
    if (chosen.removed > 0)
      this.notice = `${chosen.removed} appointment${chosen.removed === 1 ? '' : 's'} of the calendars no longer synced left the Scheduler.`;
    return this.load();
  }

  /** The Office 365 menu: Sync Calendar of every account here (a submenu: Sync now, or Preview
   * changes first), and Activity. */
  tabMenu(): MenuItem[] {
    const accounts = this.accounts;
    const none = !accounts || accounts.length === 0;
    const busy = this.syncing !== null || none;
    return [
      {
        label: 'Sync Calendar',
        testid: 'menu-sync-calendar',
        disabled: busy,
        note: none ? 'no accounts yet' : 'all accounts here',
        items: [
          {
            label: 'Sync now',
            testid: 'menu-sync-now',
            disabled: busy,
            onselect: () => this.syncCalendar({ resourceId: this.resourceId() }),
          },
          {
            label: 'Preview changes',
            testid: 'menu-preview-changes',
            disabled: busy,
            note: 'what a sync would change',
            onselect: () => (this.previewing = { resourceId: this.resourceId() }),
          },
        ],
      },
      {
        label: 'Activity',
        testid: 'menu-activity',
        disabled: none,
        note: 'what syncs changed',
        onselect: () => (this.activity = true),
      },
    ];
  }

  /** An account's menu; an organisation link has no sign-in and no scopes of its own. */
  rowMenu(account: AccountRow, administrator: boolean): MenuItem[] {
    const linked = account.organisation !== undefined && account.organisation !== null;
    const items: MenuItem[] = [
      {
        label: 'Sync Calendar',
        testid: 'account-sync-calendar',
        disabled: this.syncing !== null || account.direction === 'none',
        note: account.direction === 'none' ? 'direction is None' : undefined,
        onselect: () => this.syncCalendar({ accountId: account.id }),
      },
      { label: 'Edit', testid: 'account-edit', onselect: () => (this.dialog = { account }) },
      {
        label: 'Calendars…',
        testid: 'account-calendars',
        onselect: () => {
          this.forget(account.id);
          this.choosing = account;
        },
      },
      {
        label: 'Set as main account',
        testid: 'account-set-main',
        disabled: account.is_main,
        note: account.is_main ? 'is the main account' : undefined,
        onselect: () => this.act(account.id, () => this.backend.setMainAccount(account.id)),
      },
      { label: 'Sign in again', testid: 'account-sign-in-again', onselect: () => this.signInAgain(account) },
      {
        label: 'Remove',
        testid: 'account-remove',
        disabled: linked && !administrator,
        note: linked && !administrator ? 'administrators only' : undefined,
        onselect: () => (this.removing = account),
      },
    ];
    return linked ? items.filter((i) => i.testid !== 'account-edit' && i.testid !== 'account-sign-in-again') : items;
  }
}
