// Where the keyboard focus goes among the Scheduler's cards, without a DOM: an arrow key to the
// nearest card that way (past the page's edge, to the nearest resource that way with a card, on
// its page), Delete's neighbour, and a search hit (its page, else its day, then its card). The
// cards on screen and focusing one are the drawing components'; Scheduler.svelte wires them.
import type { AppointmentCard } from '../bindings/AppointmentCard';
import type { Resource } from '../bindings/Resource';
import type { ResourceId } from '../bindings/ResourceId';
import { cardOnAnotherPage, type ResourcePage } from './columns';
import { nextCard, type CardBox, type SearchHit } from './navigation';
import { focusAfterDelete, type KeyAction } from './schedulerKeys';

/** What the focus needs of the Scheduler around it (SchedulerView, AppointmentFlow, the drawing). */
export interface FocusScreen {
  /** The view (lib/schedulerView's SchedulerView). */
  view: {
    readonly isTimeline: boolean;
    readonly shown: Resource[];
    readonly page: ResourcePage;
    pageAt: number;
    onPage(resource: ResourceId): boolean;
    pageTo(resource: ResourceId): void;
    gotoDate(date: string): void;
  };
  /** The card of the visible range with this id. */
  card(id: string): AppointmentCard | undefined;
  /** Every card of the visible range. */
  cards(): Iterable<AppointmentCard>;
  /** The cards on screen with their boxes (the timeline's: all of its span). */
  boxes(): CardBox[];
  /** Focuses a drawn card; false when it is not drawn. */
  focus(id: string): Promise<boolean>;
  /** Asks for the card to be focused once it is drawn (AppointmentFlow's `focusNext`). */
  focusWhenDrawn(id: string | null): void;
  /** Resolves once the screen has drawn what changed (Svelte's `tick`). */
  drawn(): Promise<void>;
  /** Delete on a card: the flow's `deleteByKey`. */
  deleteCard(id: string, neighbour: string | null): void;
}

export class CardFocus {
  constructor(private readonly screen: FocusScreen) {}

  /** A key pressed on a card in the calendar (lib/schedulerKeys' action). */
  key(action: KeyAction) {
    if (action.kind === 'move') this.arrow(action.card, action.key);
    else if (action.kind === 'delete') this.screen.deleteCard(action.card, focusAfterDelete(this.screen.boxes(), action.card));
  }

  /** An arrow key on a card: the nearest card that way, or past the page's edge on its page. */
  arrow(id: string, key: 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight') {
    const next = nextCard(this.screen.boxes(), id, key);
    if (next) {
      this.screen.focus(next);
      return;
    }
    const { view } = this.screen;
    if (view.isTimeline || (key !== 'ArrowRight' && key !== 'ArrowLeft')) return;
    // Past the page's edge: the nearest resource that way with a card, on its page.
    const ids = view.shown.map((r) => r.id);
    const across = cardOnAnotherPage(ids, view.page, key === 'ArrowRight' ? 1 : -1, this.screen.cards());
    if (across) {
      this.screen.focusWhenDrawn(across.id);
      view.pageAt = across.index;
    }
  }

  /** A search hit: its card focused (its page shown first), else its day, then its card once drawn. */
  async goToHit(hit: SearchHit) {
    const { view } = this.screen;
    const resource = this.screen.card(hit.id)?.resource_id;
    if (resource && !view.onPage(resource)) {
      // Its resource is on another page: that page, then the card once drawn.
      this.screen.focusWhenDrawn(hit.id);
      view.pageTo(resource);
      await this.screen.drawn();
    }
    if (!(await this.screen.focus(hit.id))) {
      this.screen.focusWhenDrawn(hit.id);
      view.gotoDate(hit.date);
    }
  }
}
