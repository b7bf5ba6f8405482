import { describe, expect, it } from 'vitest';
import type { CardBox } from './navigation';
import { calendarKeyAction, focusAfterDelete, windowKeyAction, type KeyPress } from './schedulerKeys';

const press = (key: string, over: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...over,
});

describe('the calendar’s keys', () => {
  it.each([
    ['Enter opens the card (EventCalendar does; the key goes no further)', press('Enter'), { kind: 'open', card: 'a1' }],
    ['ArrowUp moves up', press('ArrowUp'), { kind: 'move', card: 'a1', key: 'ArrowUp' }],
    ['ArrowDown moves down', press('ArrowDown'), { kind: 'move', card: 'a1', key: 'ArrowDown' }],
    ['ArrowLeft moves left', press('ArrowLeft'), { kind: 'move', card: 'a1', key: 'ArrowLeft' }],
    ['ArrowRight moves right', press('ArrowRight'), { kind: 'move', card: 'a1', key: 'ArrowRight' }],
    ['Delete deletes', press('Delete'), { kind: 'delete', card: 'a1' }],
    ['Backspace is not Delete', press('Backspace'), null],
    ['a letter does nothing', press('x'), null],
    ['Ctrl+Z is the window’s, not the card’s', press('z', { ctrlKey: true }), null],
    ['Space does nothing of ours', press(' '), null],
  ])('%s', (_why, pressed, action) => {
    expect(calendarKeyAction(pressed, 'a1')).toEqual(action);
  });

  it.each(['Enter', 'ArrowDown', 'Delete'])('%s off a card does nothing (an empty slot, the header)', (key) => {
    expect(calendarKeyAction(press(key), null)).toBeNull();
  });
});

describe('the window’s keys', () => {
  const free = { dialogOpen: false, inField: false };
  it.each([
    ['Ctrl+Z undoes', press('z', { ctrlKey: true }), free, { kind: 'undo' }],
    ['Cmd+Z undoes', press('z', { metaKey: true }), free, { kind: 'undo' }],
    ['Ctrl+Z with Caps Lock undoes', press('Z', { ctrlKey: true }), free, { kind: 'undo' }],
    ['Ctrl+Shift+Z is not undo', press('Z', { ctrlKey: true, shiftKey: true }), free, null],
    ['Ctrl+Alt+Z is not undo', press('z', { ctrlKey: true, altKey: true }), free, null],
    ['a plain z is typing', press('z'), free, null],
    ['Ctrl+Z in a text field undoes the typing, not a step', press('z', { ctrlKey: true }), { dialogOpen: false, inField: true }, null],
    ['Ctrl+Z with the dialog open is the dialog’s', press('z', { ctrlKey: true }), { dialogOpen: true, inField: false }, null],
    ['Delete on the window deletes nothing', press('Delete'), free, null],
  ])('%s', (_why, pressed, place, action) => {
    expect(windowKeyAction(pressed, place)).toEqual(action);
  });
});

describe('the focus after Delete', () => {
  const box = (id: string, left: number, top: number): CardBox => ({ id, left, top, width: 100, height: 40 });
  const cards = [box('above', 0, 0), box('deleted', 0, 100), box('below', 0, 200), box('beside', 200, 100)];

  it('goes to the card below, else above, else nowhere', () => {
    expect(focusAfterDelete(cards, 'deleted'), 'the nearest below first').toBe('below');
    expect(focusAfterDelete(cards.filter((c) => c.id !== 'below'), 'deleted'), 'then above').toBe('above');
    expect(focusAfterDelete([box('deleted', 0, 100), box('beside', 200, 100)], 'deleted'), 'not sideways').toBeNull();
  });
});
