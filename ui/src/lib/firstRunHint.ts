// The first-run hint: until the planner's own resource has a Microsoft 365 account, the window
// points to its Office 365 tab. Pure: the window passes in what it knows; Vitest tests it.
import type { Resource } from '../bindings/Resource';

/** Preference key (lib/prefs, in the data folder): the planner dismissed the hint. */
export const FIRST_RUN_HINT_KEY = 'quick3.firstRunHintDismissed';

export interface HintFacts {
  /** The Office 365 module is active (without it there is no tab to point to). */
  office365: boolean;
  /** The planner's own resource (My Resource), if set. */
  myResource: Pick<Resource, 'name' | 'kind'> | null;
  /** How many Microsoft 365 accounts exist across all resources; null while not yet known. */
  accounts: number | null;
  /** What the view preferences hold under FIRST_RUN_HINT_KEY. */
  dismissed: string | null;
}

/** How the hint names the resource: a person by first name ("Megan"), a room or thing whole. */
export function hintName(resource: Pick<Resource, 'name' | 'kind'>): string {
  const name = resource.name.trim();
  return resource.kind === 'person' ? (name.split(/\s+/)[0] ?? name) : name;
}

/** The hint's sentence, or null when it is not shown: dismissed, an account exists (or is not yet known), no tab. */
export function firstRunHint(facts: HintFacts): string | null {
  if (!facts.office365 || facts.myResource === null) return null;
  if (facts.accounts === null || facts.accounts > 0) return null;
  if (facts.dismissed === 'yes') return null;
  return `Connect ${hintName(facts.myResource)}'s Microsoft 365 calendar to see Outlook appointments here`;
}
