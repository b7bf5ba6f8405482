// Who may see the Office 365 tab's account table, and what everyone else is told instead.
import type { Overview } from '../bindings/Overview';

export const MODULE_INACTIVE_MESSAGE =
  'The Office 365 integration module is not activated for your organisation. Ask Support to activate the Office 365 module.';
export const NO_RIGHT_MESSAGE =
  'You do not have the right to edit Resource settings. Ask your local management to grant it.';

/** The message that replaces the account table, or null when the planner may see it. */
export function office365Gate(overview: Pick<Overview, 'office365_module_active' | 'planner'>): string | null {
  if (!overview.office365_module_active) return MODULE_INACTIVE_MESSAGE;
  if (!overview.planner.may_edit_resource_settings) return NO_RIGHT_MESSAGE;
  return null;
}
