// The Office 365 tab's account dialog and rows: e-mail check, scope defaults and warnings while
// typing (the backend checks again and has the last word), and what a row tells the planner.
import type { AccountRow } from '../bindings/AccountRow';
import type { Direction } from '../bindings/Direction';
import type { SignInResult } from '../bindings/SignInResult';
import { formatLastSync } from './labels';

/** Directions a new account may have; None (paused) is offered only when editing. */
export const NEW_DIRECTIONS: readonly Direction[] = ['down', 'up', 'up_and_down'];
export const EDIT_DIRECTIONS: readonly Direction[] = ['down', 'up', 'up_and_down', 'none'];

/** Asked for by every account: sign-in, staying signed in, and the mailbox's name. */
export const SIGN_IN_SCOPES = ['openid', 'profile', 'offline_access', 'User.Read'] as const;

export const ADMIN_CONSENT_HEADLINE =
  'Your organisation must approve Quick3 Planner before you can connect';

/** The scopes a direction needs by default. */
export function defaultScopes(direction: Direction): string[] {
  const calendars = direction === 'up' || direction === 'up_and_down' ? 'Calendars.ReadWrite' : 'Calendars.Read';
  return [...SIGN_IN_SCOPES, calendars];
}

/** Scopes as typed ("openid, Calendars.Read …") → a list without blanks or repeats. */
export function parseScopes(text: string): string[] {
  const seen = new Set<string>();
  const scopes: string[] = [];
  for (const scope of text.split(/[\s,]+/)) {
    if (scope && !seen.has(scope.toLowerCase())) {
      seen.add(scope.toLowerCase());
      scopes.push(scope);
    }
  }
  return scopes;
}

function has(scopes: string[], name: string): boolean {
  const wanted = name.toLowerCase();
  return scopes.some((s) => s.toLowerCase() === wanted || s.toLowerCase().endsWith(`/${wanted}`));
}

/** Why these scopes cannot serve the direction, or null. (Same rule as the core's.) */
export function scopeWarning(direction: Direction, scopes: string[]): string | null {
  const writes = has(scopes, 'Calendars.ReadWrite') || has(scopes, 'Calendars.ReadWrite.Shared');
  const reads = writes || has(scopes, 'Calendars.Read') || has(scopes, 'Calendars.Read.Shared');
  if ((direction === 'up' || direction === 'up_and_down') && !writes)
    return 'Uploading to Microsoft 365 needs Calendars.ReadWrite: without it every upload will be refused.';
  if (direction === 'down' && !reads)
    return 'Reading Microsoft 365 calendars needs Calendars.Read (or Calendars.ReadWrite).';
  if (!has(scopes, 'offline_access'))
    return 'Without offline_access the connection lasts only about an hour before you must sign in again.';
  return null;
}

/** A quick check of the Microsoft 365 user name as typed; null when it looks like an address. */
export function checkEmail(text: string): string | null {
  const email = text.trim();
  if (!email) return 'Enter the e-mail address you sign in to Microsoft 365 with.';
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  const ok =
    at > 0 &&
    email.length <= 254 &&
    !/[\s()<>,;:\\"[\]@]/.test(local) &&
    !local.startsWith('.') &&
    !local.endsWith('.') &&
    !local.includes('..') &&
    labels.length >= 2 &&
    labels.every((l) => /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u.test(l));
  return ok ? null : `"${email}" is not a valid e-mail address.`;
}

/** What a row says under its status: an admin-consent request, an error, or a warning. */
export interface RowMessage {
  kind: 'admin-consent' | 'error' | 'warning';
  text: string;
  /** The approval link for the organisation's IT administrator (admin consent only). */
  link?: string;
}

const ADMIN_CONSENT_LINK = /(https?:\/\/\S+\/adminconsent\?\S+)/;

function fromText(text: string, kind: 'error' | 'warning'): RowMessage {
  const link = ADMIN_CONSENT_LINK.exec(text)?.[1];
  if (link) return { kind: 'admin-consent', text: ADMIN_CONSENT_HEADLINE, link };
  return { kind, text };
}

/**
 * The message a row shows: the last sign-in answer for it (kept by the tab until the next
 * action), else the stored error of an account that needs attention, else why its last sync
 * failed (kept by the core until a sync succeeds; its time in `zone`), else a scope warning.
 */
export function rowMessage(row: AccountRow, answer: SignInResult | undefined, zone: string): RowMessage | null {
  if (row.status === 'waiting_for_sign_in') return null;
  if (answer?.message) return fromText(answer.message, answer.connected ? 'warning' : 'error');
  const failure = row.last_sync_failure;
  const syncFailed = failure ? `The last sync (${formatLastSync(failure.at, zone)}) failed: ${failure.reason}` : null;
  if ((row.status === 'error' || row.status === 'sign_in_needed') && row.last_error)
    // The status's message is the last sync's failure when a sync stopped, else a sign-in's.
    return fromText(failure?.reason === row.last_error && syncFailed ? syncFailed : row.last_error, 'error');
  if (syncFailed) return fromText(syncFailed, 'error');
  if (row.scope_warning) return { kind: 'warning', text: row.scope_warning };
  return null;
}
