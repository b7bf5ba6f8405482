// What the first screen (the Scheduler's Day view) does not show, in chunks of their own: the
// first bundle is parsed sooner, and each chunk is loaded when first opened or soon after start.
export const chunks = {
  settings: () => import('../components/Settings.svelte'),
  resourceCard: () => import('../components/ResourceCard.svelte'),
  testSettings: () => import('../components/TestSettingsDialog.svelte'),
  unsaved: () => import('../components/UnsavedDialog.svelte'),
  appointmentDialog: () => import('../components/AppointmentDialog.svelte'),
};

/** Loads every chunk once the first screen is up, so that opening one later does not wait. */
export function loadChunksSoon(afterMs = 1500): void {
  setTimeout(() => {
    for (const load of Object.values(chunks)) load().catch(() => {});
  }, afterMs);
}
