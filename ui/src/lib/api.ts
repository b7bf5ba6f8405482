// The one typed door to the Tauri backend: every command the UI uses, with its argument
// names and result types from the generated bindings. Errors always come out as ErrorPayload.
import { invoke, isTauri } from '@tauri-apps/api/core';
import type { Account } from '../bindings/Account';
import type { AppointmentId } from '../bindings/AppointmentId';
import type { AppointmentInput } from '../bindings/AppointmentInput';
import type { AppointmentPatch } from '../bindings/AppointmentPatch';
import type { AppointmentRecord } from '../bindings/AppointmentRecord';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { Overview } from '../bindings/Overview';
import type { Resource } from '../bindings/Resource';
import type { ResourceId } from '../bindings/ResourceId';

export const BACKEND_UNAVAILABLE = 'BackendUnavailable';

const UNAVAILABLE: ErrorPayload = {
  code: BACKEND_UNAVAILABLE,
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
  if (typeof error === 'string' && error.trim()) return { code: 'Unknown', message: error.trim() };
  if (error instanceof Error && error.message) return { code: 'Unknown', message: error.message };
  return { code: 'Unknown', message: 'Something went wrong. Please try again.' };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!isTauri()) throw UNAVAILABLE;
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toErrorPayload(error);
  }
}

export const api = {
  overview: () => call<Overview>('overview'),
  listResources: () => call<Resource[]>('list_resources'),
  /** Appointments overlapping [from, to); both RFC 3339 instants. */
  listAppointments: (from: string, to: string) =>
    call<AppointmentRecord[]>('list_appointments', { from, to }),
  createAppointment: (input: AppointmentInput) =>
    call<AppointmentRecord>('create_appointment', { input }),
  editAppointment: (id: AppointmentId, patch: AppointmentPatch) =>
    call<AppointmentRecord>('edit_appointment', { id, patch }),
  deleteAppointment: (id: AppointmentId) => call<null>('delete_appointment', { id }),
  restoreAppointment: (id: AppointmentId) =>
    call<AppointmentRecord>('restore_appointment', { id }),
  listAccounts: (resourceId: ResourceId) => call<Account[]>('list_accounts', { resourceId }),
};

export type Api = typeof api;
