// Words the planner sees for the backend's enum values, in one place.
import { formatDate, formatTime } from './format';
import type { AccountStatus } from '../bindings/AccountStatus';
import type { Direction } from '../bindings/Direction';
import type { ResourceKind } from '../bindings/ResourceKind';
import type { ShowAs } from '../bindings/ShowAs';
import { wallTimeAt } from './time';

export const DIRECTION_LABELS: Record<Direction, string> = {
  down: 'Down',
  up: 'Up',
  up_and_down: 'Up and Down',
  none: 'None',
};

export const STATUS_LABELS: Record<AccountStatus, string> = {
  connected: 'Connected',
  waiting_for_sign_in: 'Waiting for Microsoft sign-in…',
  sign_in_needed: 'Sign-in needed',
  paused: 'Paused',
  error: 'Error',
};

export const KIND_LABELS: Record<ResourceKind, string> = {
  person: 'Person',
  room: 'Room',
  equipment: 'Equipment',
};

/** Show-as choices in the order Outlook lists them; `unknown` is only displayed, never offered. */
export const SHOW_AS_CHOICES: ReadonlyArray<{ value: ShowAs; label: string }> = [
  { value: 'free', label: 'Free' },
  { value: 'working_elsewhere', label: 'Working elsewhere' },
  { value: 'tentative', label: 'Tentative' },
  { value: 'busy', label: 'Busy' },
  { value: 'oof', label: 'Out of office' },
];

export function showAsLabel(value: ShowAs): string {
  return SHOW_AS_CHOICES.find((c) => c.value === value)?.label ?? 'Unknown';
}

/** Up to two initials for the user icon: "Ada Lovelace" → "AL", "ada" → "A". */
export function initials(name: string): string {
  const words = name.trim().split(/[\s._@-]+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.length === 1 ? [words[0][0]] : [words[0][0], words[words.length - 1][0]];
  return letters.join('').toUpperCase();
}

/** "25 Nov 2026, 09:30" in the planner's zone and the window's format (lib/format), or "Never". */
export function formatLastSync(instant: string | null, zone: string): string {
  if (!instant) return 'Never';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return instant;
  const wall = wallTimeAt(d, zone);
  return `${formatDate(wall.slice(0, 10))}, ${formatTime(wall.slice(11, 16))}`;
}
