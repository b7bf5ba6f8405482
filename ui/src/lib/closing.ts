// Closing the window when no tray keeps the app: it quits, and scheduled jobs stop until the app
// is opened again. The window says so once, unless the planner chose "Don't show this again".
import type { Job } from '../bindings/Job';

/** Where "Don't show this again" is remembered (localStorage). */
export const CLOSE_NOTICE_KEY = 'quick3.closeNotice.dismissed';

/**
 * Whether closing should first say that scheduled syncs stop: not once dismissed for good, and
 * only when an enabled job would stop (`jobs` null: they could not be read, so say it).
 */
export function closeNoticeNeeded(dismissed: string | null | undefined, jobs: readonly Job[] | null): boolean {
  if (dismissed === 'yes') return false;
  return jobs === null || jobs.some((job) => job.enabled);
}
