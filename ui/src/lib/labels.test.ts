import { describe, expect, it } from 'vitest';
import { setActiveFormat } from './format';
import { DIRECTION_LABELS, formatLastSync, initials, showAsLabel, STATUS_LABELS } from './labels';
import { MODULE_INACTIVE_MESSAGE, NO_RIGHT_MESSAGE, office365Gate } from './office365';

describe('labels', () => {
  it('names directions and statuses as the planner reads them', () => {
    expect(Object.values(DIRECTION_LABELS)).toEqual(['Down', 'Up', 'Up and Down', 'None']);
    expect(STATUS_LABELS.waiting_for_sign_in).toBe('Waiting for Microsoft sign-in…');
    expect(STATUS_LABELS.sign_in_needed).toBe('Sign-in needed');
    expect(showAsLabel('oof')).toBe('Out of office');
    expect(showAsLabel('unknown')).toBe('Unknown');
  });

  it('makes initials for the user icon', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('grace brewster hopper')).toBe('GH');
    expect(initials('ada')).toBe('A');
    expect(initials('  ')).toBe('?');
  });

  it("shows the last sync in the planner's zone", () => {
    expect(formatLastSync('2026-11-25T08:30:00Z', 'Europe/Berlin')).toBe('25 Nov 2026, 09:30');
    expect(formatLastSync(null, 'Europe/Berlin')).toBe('Never');
  });
});

describe('office365Gate', () => {
  const planner = { name: 'Ada', my_resource_id: 1, may_edit_resource_settings: true };

  it('explains a module that is not activated, whatever the rights', () => {
    expect(office365Gate({ office365_module_active: false, planner })).toBe(MODULE_INACTIVE_MESSAGE);
  });

  it('explains a missing right', () => {
    expect(office365Gate({ office365_module_active: true, planner: { ...planner, may_edit_resource_settings: false } })).toBe(
      NO_RIGHT_MESSAGE,
    );
  });

  it('lets a planner with the module and the right through', () => {
    expect(office365Gate({ office365_module_active: true, planner })).toBeNull();
  });
});

describe('the last sync in the window’s format', () => {
  it('follows the language and the clock set for the window', () => {
    setActiveFormat({ locale: 'en-US', hour12: true });
    try {
      expect(formatLastSync('2026-11-25T08:30:00Z', 'Europe/Oslo')).toBe('Nov 25, 2026, 9:30 AM');
    } finally {
      setActiveFormat({ locale: 'en-GB', hour12: false });
    }
    expect(formatLastSync('2026-11-25T08:30:00Z', 'Europe/Oslo')).toBe('25 Nov 2026, 09:30');
  });
});
