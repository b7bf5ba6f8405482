// Organisation mode in the window: the Client settings → Office 365 form ↔ OrgSettings, what the
// Test settings report says line by line, and how the Office 365 tab tells per-user accounts from
// organisation links.
import type { Account } from '../bindings/Account';
import type { Direction } from '../bindings/Direction';
import type { OrgCertificate } from '../bindings/OrgCertificate';
import type { OrgCredential } from '../bindings/OrgCredential';
import type { OrgSettings } from '../bindings/OrgSettings';
import type { OrgSettingsRecord } from '../bindings/OrgSettingsRecord';
import type { OrgTestReport } from '../bindings/OrgTestReport';

/** The directions an organisation may allow, in the order the form lists them. */
export const ORG_DIRECTIONS: Direction[] = ['down', 'up', 'up_and_down'];

export interface OrgForm {
  tenant: string;
  clientId: string;
  /** Client secret or certificate. */
  credential: OrgCredential;
  /** A new client secret; empty keeps the one in the keyring. */
  secret: string;
  /** The path of a PEM file (certificate + private key) to import; empty keeps the imported one. */
  certificateFile: string;
  /** YYYY-MM-DD or empty. */
  expires: string;
  directions: Direction[];
}

/** The form for the stored settings (an empty form allowing every direction when there are none). */
export function orgFormOf(record: OrgSettingsRecord | null): OrgForm {
  if (!record)
    return {
      tenant: '',
      clientId: '',
      credential: 'secret',
      secret: '',
      certificateFile: '',
      expires: '',
      directions: [...ORG_DIRECTIONS],
    };
  const s = record.settings;
  return {
    tenant: s.tenant,
    clientId: s.client_id,
    credential: s.credential,
    secret: '',
    certificateFile: '',
    expires: s.secret_expires ?? '',
    directions: ORG_DIRECTIONS.filter((d) => s.directions.includes(d)),
  };
}

export interface OrgSave {
  settings: OrgSettings;
  /** A new client secret, or null to keep the stored one. */
  secret: string | null;
  /** A certificate file to import, or null to keep the imported certificate. */
  certificateFile: string | null;
}

/** What is sent to the backend, or the first thing a person must fix. `certificateImported`: a
 * certificate with its key is stored already (so the file may be left empty). */
export function orgSettingsOf(form: OrgForm, certificateImported = false): OrgSave | { error: string } {
  if (form.tenant.trim() === '') return { error: 'Tenant id: enter the directory (tenant) id of your organisation.' };
  if (form.clientId.trim() === '') return { error: 'Client id: enter the application (client) id of the app registration.' };
  if (form.directions.length === 0) return { error: 'Allowed directions: choose at least one.' };
  const certificate = form.credential === 'certificate';
  if (!certificate && form.expires !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(form.expires))
    return { error: 'Secret expires: enter a date such as 2027-03-31.' };
  const file = form.certificateFile.trim();
  if (certificate && file === '' && !certificateImported)
    return {
      error:
        'Certificate file: enter the path of a PEM file holding the certificate uploaded in Microsoft Entra and its private key.',
    };
  return {
    settings: {
      tenant: form.tenant.trim(),
      client_id: form.clientId.trim(),
      credential: form.credential,
      secret_expires: certificate || form.expires === '' ? null : form.expires,
      directions: ORG_DIRECTIONS.filter((d) => form.directions.includes(d)),
    },
    secret: certificate || form.secret.trim() === '' ? null : form.secret,
    certificateFile: certificate && file !== '' ? file : null,
  };
}

export interface CertificateLine {
  label: string;
  value: string;
}

/** The imported certificate as the form shows it: subject, thumbprint, validity (UTC dates). */
export function certificateLines(certificate: OrgCertificate): CertificateLine[] {
  return [
    { label: 'Subject', value: certificate.subject },
    { label: 'Thumbprint', value: certificate.thumbprint },
    { label: 'Valid until', value: certificate.not_after.slice(0, 10) },
  ];
}

/** Whether the form differs from what is stored (a typed secret or file always counts). */
export function orgFormDirty(form: OrgForm, saved: OrgForm): boolean {
  return (
    form.secret !== '' ||
    form.certificateFile.trim() !== '' ||
    form.credential !== saved.credential ||
    form.tenant.trim() !== saved.tenant.trim() ||
    form.clientId.trim() !== saved.clientId.trim() ||
    form.expires !== saved.expires ||
    ORG_DIRECTIONS.some((d) => form.directions.includes(d) !== saved.directions.includes(d))
  );
}

export interface ReportLine {
  label: string;
  value: string;
  ok: boolean;
}

/** Test settings, step by step: the token, the user, the calendar. */
export function reportLines(report: OrgTestReport): ReportLine[] {
  return [
    { label: 'Token', value: report.token ? 'issued by Microsoft' : 'not issued', ok: report.token },
    { label: 'User', value: report.user ?? 'not read', ok: report.user !== null },
    { label: 'Calendar', value: report.calendar ?? 'not read', ok: report.calendar !== null },
  ];
}

/** The one-line verdict of Test settings. */
export function reportVerdict(report: OrgTestReport): string {
  if (report.ok) return "The organisation's settings work: Quick3 Planner can read the linked calendars.";
  return report.problem?.message ?? 'The settings do not work.';
}

export interface Connection {
  kind: 'organisation' | 'own';
  label: string;
  /** For an organisation link: the user's name and Object ID. */
  detail: string | null;
}

/** How an account is connected: its planner's own sign-in, or the organisation's link. */
export function connectionOf(account: Pick<Account, 'organisation'>): Connection {
  const mailbox = account.organisation;
  if (mailbox)
    return { kind: 'organisation', label: 'Organisation link', detail: `${mailbox.display_name} · ${mailbox.object_id}` };
  return { kind: 'own', label: 'Own sign-in', detail: null };
}
