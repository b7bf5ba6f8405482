import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../bindings/ErrorCode';
import type { OrgSettingsRecord } from '../bindings/OrgSettingsRecord';
import type { OrgTestReport } from '../bindings/OrgTestReport';
import {
  certificateLines,
  connectionOf,
  orgFormDirty,
  orgFormOf,
  orgSettingsOf,
  reportLines,
  reportVerdict,
} from './organisation';

const record: OrgSettingsRecord = {
  settings: {
    tenant: '8c3f0e5a-2d41-4b7e-9a6c-1f2e3d4c5b6a',
    client_id: '7d1c4e9a-3f6b-4a2d-8e5c-b0f9a1c3d5e7',
    credential: 'secret',
    secret_expires: '2027-03-31',
    directions: ['up_and_down', 'down'],
  },
  secret_stored: true,
  certificate: null,
  certificate_key_stored: false,
  expiry_warning: null,
};

const withCertificate: OrgSettingsRecord = {
  ...record,
  settings: { ...record.settings, credential: 'certificate', secret_expires: null },
  secret_stored: false,
  certificate: {
    subject: 'CN=Quick3 Planner organisation (demo)',
    thumbprint: '2BC2DF453EB4BE8F4D24C4CE790EBAF3BB6816B9',
    not_before: '2025-01-01T00:00:00Z',
    not_after: '2045-12-31T23:59:59Z',
  },
  certificate_key_stored: true,
};

describe('Client settings → Office 365 form', () => {
  it('shows the stored settings without the secret, directions in form order', () => {
    const form = orgFormOf(record);
    expect(form).toEqual({
      tenant: record.settings.tenant,
      clientId: record.settings.client_id,
      credential: 'secret',
      secret: '',
      certificateFile: '',
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
        credential: 'secret',
        secret_expires: null,
        directions: ['down', 'up_and_down'],
      },
      secret: null,
      certificateFile: null,
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

describe('Client settings → Office 365 with a certificate', () => {
  it('asks for a file until a certificate is imported, then keeps it when the field is empty', () => {
    const form = { ...orgFormOf(record), credential: 'certificate' as const, secret: 'typed~before' };
    expect(orgSettingsOf(form, false)).toEqual({ error: expect.stringContaining('Certificate file') });
    const save = orgSettingsOf({ ...form, certificateFile: ' /home/admin/quick3.pem ' }, false);
    expect(save).toEqual({
      settings: expect.objectContaining({ credential: 'certificate', secret_expires: null }),
      secret: null,
      certificateFile: '/home/admin/quick3.pem',
    });
    const kept = orgSettingsOf(orgFormOf(withCertificate), true);
    expect(kept).toMatchObject({ secret: null, certificateFile: null });
  });

  it('sends no file with a client secret, and counts a typed path or a switch as unsaved', () => {
    const form = { ...orgFormOf(record), certificateFile: '/tmp/ignored.pem', secret: 's~1' };
    expect(orgSettingsOf(form)).toMatchObject({ secret: 's~1', certificateFile: null });
    const saved = orgFormOf(withCertificate);
    expect(saved.credential).toBe('certificate');
    expect(orgFormDirty({ ...saved }, saved)).toBe(false);
    expect(orgFormDirty({ ...saved, certificateFile: '/tmp/new.pem' }, saved)).toBe(true);
    expect(orgFormDirty({ ...saved, credential: 'secret' }, saved)).toBe(true);
  });

  it('shows the imported certificate by subject, thumbprint and expiry date', () => {
    expect(certificateLines(withCertificate.certificate!)).toEqual([
      { label: 'Subject', value: 'CN=Quick3 Planner organisation (demo)' },
      { label: 'Thumbprint', value: '2BC2DF453EB4BE8F4D24C4CE790EBAF3BB6816B9' },
      { label: 'Valid until', value: '2045-12-31' },
    ]);
  });
});

describe('Test settings report', () => {
  const failed: OrgTestReport = {
    ok: false,
    token: true,
    user: 'Megan Bowen <megan.bowen@contoso.example>',
    calendar: null,
    problem: { code: ErrorCode.OrgMailboxRestricted, message: 'An application access policy keeps Quick3 Planner out of the mailbox.' },
    expiry_warning: null,
    scope_warning: null,
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
