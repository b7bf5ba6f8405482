// The window's start-up: User Timing marks of its steps (script/bench-scheduler reads them) and
// the first calls to the backend, asked for before the app is mounted rather than after.
import type { Overview } from '../bindings/Overview';
import type { Resource } from '../bindings/Resource';
import { api } from './api';

const marked = new Set<string>();

/** Marks a start-up step `quick3:<step>` the first time it is reached (later ones are not start-up). */
export function markStep(step: string): void {
  if (marked.has(step)) return;
  marked.add(step);
  globalThis.performance?.mark(`quick3:${step}`);
}

type FirstAnswers = Promise<[Overview, Resource[]]>;
let first: FirstAnswers | null = null;

/** Asks the backend for what the first screen needs (the overview, the resources) at once. */
export function askEarly(): void {
  first ??= Promise.all([api.overview(), api.listResources()]);
}

/** The overview and resources: the answers asked for early the first time, a new question after. */
export function overviewAndResources(): FirstAnswers {
  const answers = first ?? Promise.all([api.overview(), api.listResources()]);
  first = null;
  return answers;
}
