import { describe, expect, it } from 'vitest';
import type { Job } from '../bindings/Job';
import { closeNoticeNeeded } from './closing';

const job = (enabled: boolean) => ({ enabled }) as Job;

describe('closeNoticeNeeded', () => {
  it('says it when an enabled job would stop', () => {
    expect(closeNoticeNeeded(null, [job(false), job(true)])).toBe(true);
  });
  it('says nothing when no job would run anyway', () => {
    expect(closeNoticeNeeded(null, [])).toBe(false);
    expect(closeNoticeNeeded(null, [job(false)])).toBe(false);
  });
  it('says it when the jobs could not be read', () => {
    expect(closeNoticeNeeded(undefined, null)).toBe(true);
  });
  it('never again after "Don\'t show this again"', () => {
    expect(closeNoticeNeeded('yes', [job(true)])).toBe(false);
    expect(closeNoticeNeeded('yes', null)).toBe(false);
  });
});
