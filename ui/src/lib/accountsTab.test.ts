import { describe, expect, it } from 'vitest';
import type { AccountRow } from '../bindings/AccountRow';
import { ErrorCode } from '../bindings/ErrorCode';
import type { SyncSummary } from '../bindings/SyncSummary';
import { rowMessage } from './accounts';
import { AccountsTab, type AccountsBackend } from './accountsTab.svelte';

const row = (over: Partial<AccountRow> = {}): AccountRow => ({
  id: 1,
  resource_id: 1,
  email: 'megan.bowen@contoso.example',
  direction: 'down',
  scopes: ['Calendars.Read'],
  is_main: true,
  position: 0,
  status: 'connected',
  last_sync_at: null,
  last_error: null,
  last_sync_failure: null,
  scope_warning: null,
  admin_consent_url: null,
  ...over,
});

const summary = (over: Partial<SyncSummary> = {}): SyncSummary => ({
  account_id: 1,
  email: 'megan.bowen@contoso.example',
  added: 0,
  updated: 0,
  deleted: 0,
  conflicts: 0,
  conflict_notes: [],
  errors: [],
  requests: 1,
  mass_delete_blocked: null,
  dry_run: false,
  preview: [],
  undo: [],
  ...over,
});

const failure = (code: string, message = `${code} happened`) => ({ code, message });

/**
 * A fake backend: records every call; `answers` says what a call answers (a value, or a thrown
 * error), by method name. The list of accounts answers `accounts` of the resource asked about.
 */
function fixture(over: Partial<Record<keyof AccountsBackend, unknown>> = {}) {
  const calls: string[] = [];
  let resource = 1;
  const accounts: Record<number, AccountRow[]> = { 1: [row({ id: 2, position: 1 }), row({ id: 1, position: 0 })], 2: [] };
  const answer = (name: keyof AccountsBackend, value: unknown) => async (...args: unknown[]) => {
    calls.push(`${name} ${JSON.stringify(args)}`);
    const given = name in over ? over[name] : value;
    if (given instanceof Error || (given && typeof given === 'object' && 'code' in given)) throw given;
    return typeof given === 'function' ? given(...args) : given;
  };
  const backend = {
    listAccounts: answer('listAccounts', (id: number) => accounts[id]),
    syncCalendar: answer('syncCalendar', [summary()]),
    editAccount: answer('editAccount', null),
    addAccount: answer('addAccount', { id: 7 }),
    removeAccount: answer('removeAccount', { account: {}, warning: null }),
    unlinkMailbox: answer('unlinkMailbox', {}),
    setMainAccount: answer('setMainAccount', {}),
    signInAgain: answer('signInAgain', null),
    cancelSignIn: answer('cancelSignIn', null),
  } as unknown as AccountsBackend;
  const tab = new AccountsTab(backend, () => resource);
  return { tab, calls, accounts, show: (id: number) => (resource = id) };
}

const named = (calls: string[], name: string) => calls.filter((c) => c.startsWith(`${name} `));

describe('accounts tab: the table', () => {
  it('shows the accounts in their order, loading from scratch for another resource', async () => {
    const { tab, show } = fixture();
    const first = tab.reset();
    expect(tab.accounts, 'loading').toBeNull();
    await first;
    expect(tab.accounts?.map((a) => a.id)).toEqual([1, 2]);
    show(2);
    await tab.reset();
    expect(tab.accounts).toEqual([]);
  });

  it('drops an answer for a resource no longer shown', async () => {
    const { tab, show } = fixture();
    const late = tab.load();
    show(2);
    await late;
    expect(tab.accounts, 'resource 1’s accounts are not shown under resource 2').toBeNull();
  });

  it('shows a failed load as the error', async () => {
    const { tab } = fixture({ listAccounts: failure('Store') });
    await tab.reset();
    expect(tab.error?.code).toBe('Store');
  });
});

describe('accounts tab: Sync Calendar', () => {
  it('shows the progress while it runs, then the summaries and the table anew', async () => {
    const { tab, calls } = fixture();
    tab.notice = 'old notice';
    const sync = tab.syncCalendar({ accountId: 1 });
    expect(tab.syncing).toBe('Starting the sync…');
    expect(tab.notice, 'a new action clears the notice').toBe('');
    tab.progressed({ account_id: 1, email: 'megan.bowen@contoso.example', calendar: 1, calendars: 2, calendar_name: 'Work', events: 3 });
    expect(tab.syncing).toBe('megan.bowen@contoso.example: calendar 1 of 2 (Work), 3 events so far');
    await tab.syncCalendar({ accountId: 2 });
    expect(named(calls, 'syncCalendar'), 'one sync at a time').toHaveLength(1);
    await sync;
    expect(tab.syncing).toBeNull();
    expect(tab.syncSummaries).toEqual([summary()]);
    expect(tab.massDelete).toBeNull();
    expect(named(calls, 'listAccounts')).toHaveLength(1);
  });

  it('ignores progress when no sync of its own runs, and reloads on other syncs only then', async () => {
    const { tab, calls } = fixture();
    tab.progressed({ account_id: 1, email: 'x', calendar: 0, calendars: 1, calendar_name: '', events: 0 });
    expect(tab.syncing).toBeNull();
    await tab.otherSyncFinished();
    expect(named(calls, 'listAccounts')).toHaveLength(1);
  });

  it('asks the mass-delete question, and Yes syncs that account again with deletions allowed', async () => {
    const blocked = summary({ account_id: 5, mass_delete_blocked: { would_delete: 40, pulled: 50 } });
    const { tab, calls } = fixture({ syncCalendar: [summary(), blocked] });
    await tab.syncCalendar({ resourceId: 1 });
    expect(tab.massDelete).toEqual(blocked);
    await tab.confirmMassDelete();
    expect(named(calls, 'syncCalendar')).toEqual([
      'syncCalendar [{"resourceId":1},false]',
      'syncCalendar [{"accountId":5},true]',
    ]);
  });

  it('keeps a failed sync’s error shown once the table is loaded again', async () => {
    const { tab, calls } = fixture({ syncCalendar: failure('SyncRunning', 'megan.bowen@contoso.example is being synced by another program.') });
    await tab.syncCalendar({ accountId: 1 });
    expect(named(calls, 'listAccounts'), 'the table was loaded again').toHaveLength(1);
    expect(tab.error?.message).toBe('megan.bowen@contoso.example is being synced by another program.');
    expect(tab.syncing).toBeNull();
  });

  it('keeps saying on the row that the last sync failed and why, after reloading, until a sync succeeds', async () => {
    const reason = 'The calendar “Calendar” of megan.bowen@contoso.example could not be synced: Microsoft 365 had a problem (HTTP 500).';
    // The backend as the core is: a failed sync is stored on the account until one succeeds.
    let fails = true;
    let failureNow: AccountRow['last_sync_failure'] = null;
    const { tab } = fixture({
      syncCalendar: () => {
        failureNow = fails ? { at: '2026-11-25T08:30:00Z', reason } : null;
        return [summary({ errors: fails ? [reason] : [] })];
      },
      listAccounts: () => [row({ id: 1, last_sync_failure: failureNow, last_error: failureNow?.reason ?? null })],
    });
    const shown = () => rowMessage(tab.accounts![0], tab.answers[1], 'Europe/Berlin')?.text ?? null;
    await tab.reset();
    await tab.syncCalendar({ accountId: 1 });
    expect(shown()).toBe(`The last sync (25 Nov 2026, 09:30) failed: ${reason}`);
    await tab.reset();
    expect(shown(), 'reloading the tab still says it').toBe(`The last sync (25 Nov 2026, 09:30) failed: ${reason}`);
    fails = false;
    await tab.syncCalendar({ accountId: 1 });
    expect(shown(), 'a sync that succeeded clears it').toBeNull();
  });
});

describe('accounts tab: actions and dialogs', () => {
  it('keeps a sign-in answer under its row until the next action on the account', async () => {
    const { tab, calls } = fixture();
    const answer = { account_id: 1, connected: false, message: 'No', code: ErrorCode.SignInCancelled, admin_consent_url: null };
    await tab.signedIn(answer);
    expect(tab.answers[1]).toEqual(answer);
    await tab.signInAgain(row({ id: 1 }));
    expect(tab.answers[1]).toBeUndefined();
    expect(named(calls, 'signInAgain')).toEqual(['signInAgain [1]']);
  });

  it('says where to sign in when a new account’s browser did not open, and closes the dialog', async () => {
    const { tab } = fixture({ addAccount: failure('BrowserUnavailable', 'Open https://login… yourself') });
    tab.openAdd();
    await tab.saveDialog({ email: 'a@b.example', direction: 'down', scopes: [] } as never);
    expect(tab.notice).toBe('Open https://login… yourself');
    expect(tab.dialog).toBeNull();
  });

  it('leaves other refusals to the account dialog, which stays open', async () => {
    const { tab } = fixture({ addAccount: failure('InvalidEmail') });
    tab.openAdd();
    await expect(tab.saveDialog({ email: 'nope', direction: 'down', scopes: [] } as never)).rejects.toMatchObject({ code: 'InvalidEmail' });
    expect(tab.dialog).toEqual({ account: null });
  });

  it('removes a signed-in account with its keyring warning, and unlinks an organisation link', async () => {
    const { tab, calls } = fixture({ removeAccount: { account: {}, warning: 'The keyring kept it.' } });
    tab.removing = row({ id: 1 });
    await tab.remove(true);
    expect(tab.notice).toBe('The keyring kept it.');
    tab.removing = row({ id: 3, organisation: { object_id: 'o', display_name: 'Adele' } });
    await tab.remove(false);
    expect(tab.removing).toBeNull();
    expect([...named(calls, 'removeAccount'), ...named(calls, 'unlinkMailbox')]).toEqual([
      'removeAccount [1,true]',
      'unlinkMailbox [3,false]',
    ]);
  });

  it.each([
    [0, ''],
    [1, '1 appointment of the calendars no longer synced left the Scheduler.'],
    [3, '3 appointments of the calendars no longer synced left the Scheduler.'],
  ])('says that %i appointments left with the calendars switched off', async (removed, notice) => {
    const { tab } = fixture();
    tab.choosing = row();
    await tab.calendarsChosen({ calendars: [], removed });
    expect(tab.choosing).toBeNull();
    expect(tab.notice).toBe(notice);
  });
});

describe('accounts tab: menus', () => {
  const testids = (items: { testid?: string }[]) => items.map((i) => i.testid);
  const last = <T>(items: T[]) => items[items.length - 1];

  it('offers an organisation link no sign-in and no edit, and its removal to administrators only', () => {
    const { tab } = fixture();
    const link = row({ organisation: { object_id: 'o', display_name: 'Adele' } });
    expect(testids(tab.rowMenu(link, false))).toEqual(['account-sync-calendar', 'account-calendars', 'account-set-main', 'account-remove']);
    expect(last(tab.rowMenu(link, false))).toMatchObject({ disabled: true, note: 'administrators only' });
    expect(last(tab.rowMenu(link, true))).toMatchObject({ disabled: false });
    expect(testids(tab.rowMenu(row(), false))).toContain('account-sign-in-again');
  });

  it('offers Activity once the resource has an account, and opens it', async () => {
    const { tab } = fixture();
    const activity = () => tab.tabMenu().find((item) => item.testid === 'menu-activity');
    expect(activity()).toMatchObject({ label: 'Activity', disabled: true });
    await tab.reset();
    expect(activity()).toMatchObject({ disabled: false });
    activity()?.onselect?.();
    expect(tab.activity).toBe(true);
  });

  it('opens Preview changes for the resource, and Apply syncs what was previewed', async () => {
    const { tab, calls } = fixture();
    // Sync Calendar → Preview changes, as the issue names it.
    const preview = () => tab.tabMenu()[0].items?.find((item) => item.testid === 'menu-preview-changes');
    expect(preview()).toMatchObject({ label: 'Preview changes', disabled: true });
    await tab.reset();
    preview()?.onselect?.();
    expect(tab.previewing).toEqual({ resourceId: 1 });
    await tab.applyPreview();
    expect(tab.previewing, 'the preview closes').toBeNull();
    expect(named(calls, 'syncCalendar')).toEqual(['syncCalendar [{"resourceId":1},false]']);
  });

  it('makes Sync Calendar a submenu of Sync now and Preview changes, Activity beside it', async () => {
    const { tab, calls } = fixture();
    await tab.reset();
    const menu = tab.tabMenu();
    expect(menu.map((item) => item.label)).toEqual(['Sync Calendar', 'Activity']);
    expect(menu[0].onselect, 'Sync Calendar only opens its submenu').toBeUndefined();
    expect(testids(menu[0].items ?? [])).toEqual(['menu-sync-now', 'menu-preview-changes']);
    await menu[0].items?.[0].onselect?.();
    expect(named(calls, 'syncCalendar')).toEqual(['syncCalendar [{"resourceId":1},false]']);
    expect(tab.previewing, 'Sync now syncs at once, with no preview').toBeNull();
  });

  it('greys out Sync Calendar for direction None, during a sync, and with no accounts', async () => {
    const { tab } = fixture();
    expect(tab.rowMenu(row({ direction: 'none' }), false)[0]).toMatchObject({ disabled: true, note: 'direction is None' });
    expect(tab.tabMenu()[0]).toMatchObject({ disabled: true, note: 'no accounts yet' });
    await tab.reset();
    expect(tab.tabMenu()[0]).toMatchObject({ disabled: false, note: 'all accounts here' });
    const running = tab.syncCalendar({ accountId: 1 });
    expect(tab.rowMenu(row(), false)[0].disabled).toBe(true);
    expect(
      tab.tabMenu()[0].items?.map((item) => item.disabled),
      'neither Sync now nor Preview changes while a sync runs',
    ).toEqual([true, true]);
    await running;
  });
});
