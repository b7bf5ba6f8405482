import { describe, expect, it } from 'vitest';
import type { AccountRow } from '../bindings/AccountRow';
import { ErrorCode } from '../bindings/ErrorCode';
import {
  ADMIN_CONSENT_HEADLINE,
  checkEmail,
  defaultScopes,
  parseScopes,
  rowMessage,
  scopeWarning,
} from './accounts';

const ZONE = 'Europe/Berlin';

const row = (over: Partial<AccountRow> = {}): AccountRow => ({
  id: 1,
  resource_id: 1,
  email: 'megan.bowen@contoso.example',
  direction: 'down',
  scopes: defaultScopes('down'),
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

describe('account dialog', () => {
  it.each([
    ['down', 'Calendars.Read'],
    ['up', 'Calendars.ReadWrite'],
    ['up_and_down', 'Calendars.ReadWrite'],
  ] as const)('defaults %s to the sign-in scopes plus %s', (direction, calendars) => {
    expect(defaultScopes(direction)).toEqual(['openid', 'profile', 'offline_access', 'User.Read', calendars]);
    expect(scopeWarning(direction, defaultScopes(direction))).toBeNull();
  });

  it('warns when the scopes cannot serve the direction', () => {
    expect(scopeWarning('up', defaultScopes('down'))).toMatch(/needs Calendars.ReadWrite/);
    expect(scopeWarning('down', ['openid', 'offline_access', 'User.Read'])).toMatch(/needs Calendars.Read/);
    expect(scopeWarning('down', ['Calendars.Read'])).toMatch(/offline_access/);
    expect(scopeWarning('up_and_down', ['offline_access', 'https://graph.microsoft.com/Calendars.ReadWrite'])).toBeNull();
  });

  it('reads scopes as typed, without blanks or repeats', () => {
    expect(parseScopes(' openid,  Calendars.Read calendars.read\n')).toEqual(['openid', 'Calendars.Read']);
    expect(parseScopes('   ')).toEqual([]);
  });

  it.each(['megan.bowen@contoso.example', ' adele@sub.contoso.example ', 'o.neil+x@müller.de'])(
    'accepts %s', (email) => expect(checkEmail(email)).toBeNull());

  it.each(['megan', 'megan@contoso', '@contoso.example', 'me gan@contoso.example', 'a..b@contoso.example',
    'megan@-contoso.example', 'megan@contoso..example'])('refuses %s', (email) => {
    expect(checkEmail(email)).toMatch(/not a valid e-mail address/);
  });

  it('asks for an address when none is typed', () => {
    expect(checkEmail('  ')).toMatch(/Enter the e-mail address/);
  });
});

describe('row messages', () => {
  const consent =
    'Your organisation must approve Quick3 Planner before you can connect. Send your IT administrator this approval link: http://127.0.0.1:5/organizations/v2.0/adminconsent?client_id=abc&scope=x';

  it('turns an admin-consent answer into the plain headline and the link to pass on', () => {
    const message = rowMessage(row({ status: 'error' }), {
      account_id: 1, connected: false, message: consent, code: ErrorCode.AdminConsentRequired, admin_consent_url: null,
    }, ZONE);
    expect(message).toEqual({
      kind: 'admin-consent',
      text: ADMIN_CONSENT_HEADLINE,
      link: 'http://127.0.0.1:5/organizations/v2.0/adminconsent?client_id=abc&scope=x',
    });
  });

  it('shows the stored error of an account that needs attention, also after a restart', () => {
    expect(rowMessage(row({ status: 'error', last_error: consent }), undefined, ZONE)?.kind).toBe('admin-consent');
    expect(rowMessage(row({ status: 'sign_in_needed', last_error: 'The sign-in was cancelled.' }), undefined, ZONE))
      .toEqual({ kind: 'error', text: 'The sign-in was cancelled.' });
  });

  it('shows a different mailbox as a warning on a connected row', () => {
    const message = rowMessage(row(), {
      account_id: 1, connected: true, message: 'You signed in as adele.vance@contoso.example, not megan.bowen@contoso.example: …', code: null, admin_consent_url: null,
    }, ZONE);
    expect(message?.kind).toBe('warning');
  });

  it('keeps saying the last sync failed, when and why, until a sync succeeds', () => {
    const reason = 'The calendar “Calendar” of megan.bowen@contoso.example could not be synced: Microsoft 365 had a problem (HTTP 500).';
    const failure = { at: '2026-11-25T08:30:00Z', reason };
    const said = `The last sync (25 Nov 2026, 09:30) failed: ${reason}`;
    expect(rowMessage(row({ last_sync_failure: failure, last_error: reason }), undefined, ZONE), 'on a connected row too (a calendar failed)')
      .toEqual({ kind: 'error', text: said });
    expect(rowMessage(row({ status: 'error', last_sync_failure: failure, last_error: reason }), undefined, ZONE), 'a sync that stopped')
      .toEqual({ kind: 'error', text: said });
    expect(
      rowMessage(row({ status: 'sign_in_needed', last_sync_failure: failure, last_error: 'The sign-in was cancelled.' }), undefined, ZONE),
      'what to do now comes first',
    ).toEqual({ kind: 'error', text: 'The sign-in was cancelled.' });
    expect(rowMessage(row({ last_sync_failure: failure, scope_warning: 'Uploading … needs' }), undefined, ZONE)?.text).toBe(said);
    expect(rowMessage(row({ last_sync_failure: null, last_sync_at: '2026-11-25T09:00:00Z' }), undefined, ZONE), 'after a sync that succeeded')
      .toBeNull();
  });

  it('says nothing while waiting, or when all is well', () => {
    expect(rowMessage(row({ status: 'waiting_for_sign_in', last_error: 'old' }), undefined, ZONE)).toBeNull();
    expect(rowMessage(row(), undefined, ZONE)).toBeNull();
    expect(rowMessage(row({ scope_warning: 'Uploading … needs' }), undefined, ZONE)?.kind).toBe('warning');
  });
});
