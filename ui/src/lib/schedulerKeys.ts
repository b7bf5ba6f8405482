// The Scheduler's keyboard map: which action a key press asks for, from the press and where it
// happened, with no DOM or state of its own. Scheduler.svelte reads the press off the event and
// carries the action out (arrows between cards, Enter opens, Delete deletes, Ctrl+Z undoes).
import { ARROW_KEYS, nextCard, type ArrowKey, type CardBox } from './navigation';
import { isUndoKey } from './undo.svelte';

/** What a key event says about the key (a `KeyboardEvent` is one). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** What a key press asks the Scheduler to do. Every action takes the key's default away. */
export type KeyAction =
  /** Enter on a card: EventCalendar opens it on this keydown; the key must go no further (it would
   * reach the dialog's autofocused title field and submit, so close, the dialog at once). */
  | { kind: 'open'; card: string }
  /** An arrow on a card: focus the nearest card that way (or on the next page of resources). */
  | { kind: 'move'; card: string; key: ArrowKey }
  /** Delete on a card: delete it (Undo in the toast, Ctrl+Z) unless it is read-only. */
  | { kind: 'delete'; card: string }
  /** Ctrl+Z (Cmd+Z) outside text fields and dialogs: take the last step back. */
  | { kind: 'undo' };

/** A key pressed in the calendar: on the card `card` (its id), or on no card (`null`). */
export function calendarKeyAction(press: KeyPress, card: string | null): KeyAction | null {
  if (card === null) return null;
  if (press.key === 'Enter') return { kind: 'open', card };
  if (ARROW_KEYS.includes(press.key)) return { kind: 'move', card, key: press.key as ArrowKey };
  if (press.key === 'Delete') return { kind: 'delete', card };
  return null;
}

/** Where a key pressed anywhere in the window landed. */
export interface WindowPlace {
  /** The Appointment dialog is open (it has its own keys). */
  dialogOpen: boolean;
  /** The key went to a text field, a list or an editable element: Ctrl+Z is theirs. */
  inField: boolean;
}

/** A key pressed anywhere in the window (the calendar's keys are `calendarKeyAction`'s). */
export function windowKeyAction(press: KeyPress, place: WindowPlace): KeyAction | null {
  if (place.dialogOpen || place.inField || !isUndoKey(press)) return null;
  return { kind: 'undo' };
}

/** The elements whose Ctrl+Z is their own (undoing typing), not the Scheduler's. */
export const FIELDS = 'input, textarea, select, [contenteditable="true"]';

/** The card that takes the focus after `card` is deleted: the nearest below it, else above. */
export function focusAfterDelete(cards: readonly CardBox[], card: string): string | null {
  return nextCard(cards, card, 'ArrowDown') ?? nextCard(cards, card, 'ArrowUp');
}
