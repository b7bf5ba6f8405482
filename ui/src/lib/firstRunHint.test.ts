import { describe, expect, it } from 'vitest';
import { firstRunHint, hintName, type HintFacts } from './firstRunHint';

const megan = { name: 'Megan Bowen', kind: 'person' as const };
const fresh: HintFacts = { office365: true, myResource: megan, accounts: 0, dismissed: null };

describe('firstRunHint', () => {
  it('points a fresh planner to the Office 365 tab, naming their own resource', () => {
    expect(firstRunHint(fresh)).toBe("Connect Megan's Microsoft 365 calendar to see Outlook appointments here");
  });
  it('is gone once an account exists', () => {
    expect(firstRunHint({ ...fresh, accounts: 1 })).toBeNull();
  });
  it('waits until the accounts are known, so it never flashes for a connected planner', () => {
    expect(firstRunHint({ ...fresh, accounts: null })).toBeNull();
  });
  it('stays away once dismissed', () => {
    expect(firstRunHint({ ...fresh, dismissed: 'yes' })).toBeNull();
  });
  it('has nothing to point to without the Office 365 module or My Resource', () => {
    expect(firstRunHint({ ...fresh, office365: false })).toBeNull();
    expect(firstRunHint({ ...fresh, myResource: null })).toBeNull();
  });
});

describe('hintName', () => {
  it('names a person by first name and a room or thing whole', () => {
    expect(hintName(megan)).toBe('Megan');
    expect(hintName({ name: 'Boardroom East', kind: 'room' })).toBe('Boardroom East');
    expect(hintName({ name: '  Ada  ', kind: 'person' })).toBe('Ada');
  });
});
