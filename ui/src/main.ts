import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { askEarly, markStep } from './lib/startup';

markStep('bundle-evaluated');
// The first screen's questions go to the backend while the app mounts.
askEarly();

const target = document.getElementById('app');
if (!target) throw new Error('The page has no #app element');

// User Timing marks of the start-up, drawn frames after the Scheduler's grid and its first
// appointment cards are in the page (script/bench-scheduler times a cold start with them).
const marks = new Map([
  ['quick3:scheduler-shown', '[data-testid="scheduler"] :is(.ec-body, [data-testid="timeline"])'],
  ['quick3:first-cards', '[data-testid="scheduler"] [data-appointment-id]'],
]);
const startup = new MutationObserver(() => {
  for (const [mark, selector] of marks) {
    if (!target.querySelector(selector)) continue;
    marks.delete(mark);
    requestAnimationFrame(() => performance.mark(mark));
  }
  if (marks.size === 0) startup.disconnect();
});
startup.observe(target, { childList: true, subtree: true });
setTimeout(() => startup.disconnect(), 60000);

const app = mount(App, { target });
markStep('app-mounted');
export default app;
