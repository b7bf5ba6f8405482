import { describe, expect, it } from 'vitest';
import type { OrgSettingsRecord } from '../bindings/OrgSettingsRecord';
import type { OrgTestReport } from '../bindings/OrgTestReport';
import { connectionOf, orgFormDirty, orgFormOf, orgSettingsOf, reportLines, reportVerdict } from './organisation';

const record: OrgSettingsRecord = {
  settings: {
    tenant: '8c3f0e5a-2d41-4b7e-9a6c-1f2e3d4c5b6a',
    client_id: '7d1c4e9a-3f6b-4a2d-8e5c-b0f9a1c3d5e7',
    secret_expires: '2027-03-31',
    directions: ['up_and_down', 'down'],
  },
  secret_stored: true,
  expiry_warning: null,
};

describe('Client settings → Office 365 form', () => {
  it('shows the stored settings without the secret, directions in form order', () => {
    const form = orgFormOf(record);
    expect(form).toEqual({
      tenant: record.settings.tenant,
      clientId: record.settings.client_id,
      secret: '',
      expires: '2027-03-31',
      directions: ['down', 'up_and_down'],
    });
    expect(orgFormOf(null).directions).toEqual(['down', 'up', 'up_and_down']);
  });

  it('sends trimmed ids, no expiry when empty, and keeps the stored secret when none is typed', () => {
    const form = { ...orgFormOf(record), tenant: ' contoso.example ', expires: '' };
    expect(orgSettingsOf(form)).toEqual({
      settings: {
        tenant: 'contoso.example',
        client_id: record.settings.client_id,
        secret_expires: null,
        directions: ['down', 'up_and_down'],
      },
      secret: null,
    });
    expect(orgSettingsOf({ ...form, secret: 'new~secret' })).toMatchObject({ secret: 'new~secret' });
  });

  it('names the first thing to fix', () => {
    const form = orgFormOf(record);
    expect(orgSettingsOf({ ...form, tenant: ' ' })).toEqual({ error: expect.stringContaining('Tenant id') });
    expect(orgSettingsOf({ ...form, clientId: '' })).toEqual({ error: expect.stringContaining('Client id') });
    expect(orgSettingsOf({ ...form, directions: [] })).toEqual({ error: expect.stringContaining('at least one') });
    expect(orgSettingsOf({ ...form, expires: '31.03.2027' })).toEqual({ error: expect.stringContaining('2027-03-31') });
  });

  it('counts a typed secret, a changed field or direction as unsaved, and nothing else', () => {
    const saved = orgFormOf(record);
    expect(orgFormDirty({ ...saved }, saved)).toBe(false);
    expect(orgFormDirty({ ...saved, tenant: `${saved.tenant} ` }, saved)).toBe(false);
    expect(orgFormDirty({ ...saved, secret: 'x' }, saved)).toBe(true);
    expect(orgFormDirty({ ...saved, expires: '2027-04-01' }, saved)).toBe(true);
    expect(orgFormDirty({ ...saved, directions: ['up_and_down', 'down'] }, saved)).toBe(false);
    expect(orgFormDirty({ ...saved, directions: ['down'] }, saved)).toBe(true);
  });
});

describe('Test settings report', () => {
  const failed: OrgTestReport = {
    ok: false,
    token: true,
    user: 'Megan Bowen <megan.bowen@contoso.example>',
    calendar: null,
    problem: { code: 'OrgMailboxRestricted', message: 'An application access policy keeps Quick3 Planner out of the mailbox.' },
    expiry_warning: null,
  };

  it('says which steps worked and the problem in plain words', () => {
    expect(reportLines(failed).map((l) => [l.label, l.ok])).toEqual([
      ['Token', true],
      ['User', true],
      ['Calendar', false],
    ]);
    expect(reportVerdict(failed)).toBe(failed.problem?.message);
    expect(reportVerdict({ ...failed, ok: true, problem: null, calendar: 'Calendar' })).toMatch(/settings work/);
  });
});

describe('connections in the Office 365 tab', () => {
  it('tells an organisation link from a planner\'s own sign-in', () => {
    expect(connectionOf({ organisation: { object_id: '48d3', display_name: 'Megan Bowen' } })).toEqual({
      kind: 'organisation',
      label: 'Organisation link',
      detail: 'Megan Bowen · 48d3',
    });
    expect(connectionOf({}).kind).toBe('own');
  });
});
