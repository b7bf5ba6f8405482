// A sync's preview and a run's undo in words: a preview group's heading ("Created in Outlook
// (2)"), a change's line (its fields before → after, a deletion the mass-deletion guard holds
// back marked), the deletions held back for the mass-delete question, and an undo's headline
// before and after it ran.
import type { AccountPreview } from '../bindings/AccountPreview';
import type { PreviewChange } from '../bindings/PreviewChange';
import type { PreviewGroup } from '../bindings/PreviewGroup';
import type { SyncSummary } from '../bindings/SyncSummary';

const KINDS: Record<PreviewGroup['kind'], string> = { created: 'Created', updated: 'Updated', deleted: 'Deleted' };

/** "Created in Quick3 Planner (3)". */
export function groupHeading(group: PreviewGroup): string {
  const side = group.side === 'outlook' ? 'Outlook' : 'Quick3 Planner';
  return `${KINDS[group.kind]} in ${side} (${group.changes.length})`;
}

/** "“Visit” (…): subject Visit → Site visit; start … → …", held-back deletions marked. */
export function changeLine(change: PreviewChange): string {
  const fields =
    change.kind === 'updated' && change.fields.length > 0
      ? `: ${change.fields.map((f) => `${f.field.replace('_', ' ')} ${f.before || '(none)'} → ${f.after || '(none)'}`).join('; ')}`
      : '';
  return `${change.name}${fields}${change.held_back ? ' (held back: a mass deletion)' : ''}`;
}

/** Whether a preview has nothing to change anywhere. */
export function nothingToChange(previews: AccountPreview[]): boolean {
  return previews.every((p) => p.groups.length === 0);
}

/** The deletions the mass-deletion guard holds back in an account's preview. */
export function heldBack(preview: AccountPreview): PreviewChange[] {
  return preview.groups.flatMap((g) => g.changes.filter((c) => c.held_back && c.kind === 'deleted'));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** An undo's headline: before ("puts back 3 appointments; 1 cannot be undone") or after it ran. */
export function undoHeadline(summary: SyncSummary): string {
  const done = summary.undo.filter((i) => i.action !== 'skip').length;
  const skipped = summary.undo.length - done;
  const rest = skipped > 0 ? `; ${skipped} cannot be undone (listed below)` : '';
  if (summary.dry_run) {
    return done > 0
      ? `Undo puts back ${plural(done, 'appointment')}, in Quick3 Planner and Outlook${rest}.`
      : `Nothing of this run can be undone${skipped > 0 ? ' (listed below)' : ''}.`;
  }
  return `Put back ${plural(done, 'appointment')}${rest}.`;
}
