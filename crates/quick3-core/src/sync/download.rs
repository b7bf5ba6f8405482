//! The delta pages of a mailbox's calendars, downloaded ahead of the driver that writes them.
//!
//! A calendar's pages come one after the other (each page's `nextLink` asks for the next), so one
//! calendar alone keeps a single request on its way, and a round takes as many network round
//! trips as it has pages. [`Downloads`] keeps several calendars downloading at the same time
//! ([`CALENDARS_AT_ONCE`] by default, `SyncOptions::calendars_at_once`) while the driver takes
//! the pages calendar by calendar, in order, and writes them: a calendar may always have
//! [`PAGES_AHEAD`] pages read and waiting (plus one on its way), and more while all calendars
//! together have fewer than [`PAGES_HELD`] (by default, `SyncOptions::pages_held`). So the next
//! calendars' pages are downloaded while one calendar is written, memory stays bounded, and the
//! mailbox's requests stay within its four in flight (the client's semaphore; a series master
//! fetched while a page is written takes the fourth).
//!
//! Nothing here writes: a page is read and kept until the driver takes it, and pages of a round
//! that is restarted (after a 410) or abandoned are dropped unread. Everything runs in the
//! driver's own task; requests progress whenever the driver awaits ([`Downloads::take`], or the
//! driver's own work run through [`Downloads::beside`]).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;

use crate::graph::GraphError;
use crate::graph::client::GraphClient;
use crate::graph::event::DeltaPage;

/// Calendars of a mailbox downloading at the same time, by default.
pub const CALENDARS_AT_ONCE: usize = 3;

/// Pages of a calendar read and waiting for the driver that it may always have (one more may be
/// on its way)…
pub const PAGES_AHEAD: usize = 2;

/// …and pages of all calendars read and waiting (by default), beyond which no calendar asks for
/// more than [`PAGES_AHEAD`]. The calendar being written takes its pages one after the other at
/// the pace of the network; the next calendars keep downloading meanwhile, into this many pages
/// held in memory (3,000 events at the default page size: a few MB), so that their pages are
/// there when the driver comes to them.
pub const PAGES_HELD: usize = 30;

type Answer = Result<DeltaPage, GraphError>;

/// One calendar's chain of pages.
#[derive(Default)]
struct Chain<'a> {
    /// Where the round starts, until it does.
    start: Option<String>,
    /// Pages read and not yet taken, in order (an error ends the chain).
    ready: VecDeque<Answer>,
    /// The request on its way.
    pending: Option<BoxFuture<'a, Answer>>,
    /// The page to ask for next, once there is room.
    next: Option<String>,
}

impl Chain<'_> {
    /// Still asking for pages (or waiting for room to).
    fn downloading(&self) -> bool {
        self.pending.is_some() || self.next.is_some()
    }
}

/// The pages of a mailbox's calendars, downloaded ahead (see the module's documentation).
pub struct Downloads<'a> {
    client: &'a GraphClient<'a>,
    page_size: u32,
    /// Calendars downloading at the same time (at least one).
    at_once: usize,
    /// Pages of all calendars read and waiting, beyond which each keeps [`PAGES_AHEAD`].
    held_most: usize,
    chains: Vec<Chain<'a>>,
}

impl std::fmt::Debug for Downloads<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Downloads")
            .field("calendars", &self.chains.len())
            .field(
                "downloading",
                &self.chains.iter().filter(|c| c.downloading()).count(),
            )
            .finish()
    }
}

impl<'a> Downloads<'a> {
    /// Chains for calendars whose rounds start at `starts` (a delta link, or the first URL of a
    /// round), taken in this order, `at_once` downloading at the same time with up to `held`
    /// pages held for all of them. Nothing is asked for before the first [`take`](Self::take).
    pub fn new(
        client: &'a GraphClient<'a>,
        page_size: u32,
        (at_once, held): (usize, usize),
        starts: Vec<String>,
    ) -> Self {
        Downloads {
            client,
            page_size,
            at_once: at_once.max(1),
            held_most: held,
            chains: starts
                .into_iter()
                .map(|start| Chain {
                    start: Some(start),
                    ..Chain::default()
                })
                .collect(),
        }
    }

    /// Starts calendar `index`'s round again at `url` (a 410 answered its link): what was
    /// downloaded for it is dropped.
    pub fn restart(&mut self, index: usize, url: String) {
        if let Some(chain) = self.chains.get_mut(index) {
            *chain = Chain {
                next: Some(url),
                ..Chain::default()
            };
        }
    }

    /// Calendar `index` is done with (synced, skipped or failed): its requests stop.
    pub fn finish(&mut self, index: usize) {
        if let Some(chain) = self.chains.get_mut(index) {
            *chain = Chain::default();
        }
    }

    /// Calendar `index`'s next page, in order.
    pub async fn take(&mut self, index: usize) -> Answer {
        std::future::poll_fn(|cx| {
            loop {
                let Some(chain) = self.chains.get_mut(index) else {
                    return Poll::Ready(Err(GraphError::Malformed {
                        what: "a page of a calendar that is not being synced".into(),
                    }));
                };
                if let Some(answer) = chain.ready.pop_front() {
                    // Its room is free again: the next page is asked for at once.
                    self.advance(cx);
                    return Poll::Ready(answer);
                }
                if !chain.downloading() && chain.start.is_none() {
                    return Poll::Ready(Err(GraphError::Malformed {
                        what: "a delta page asked for after the round's last one".into(),
                    }));
                }
                if !self.advance(cx) {
                    return Poll::Pending;
                }
            }
        })
        .await
    }

    /// Runs `work` (the driver writing a page) while the downloads go on beside it.
    pub async fn beside<T>(&mut self, work: impl Future<Output = T>) -> T {
        let mut work = std::pin::pin!(work);
        std::future::poll_fn(|cx| {
            // The downloads first, so that a request made possible is on its way before the
            // work takes the thread.
            self.advance(cx);
            work.as_mut().poll(cx)
        })
        .await
    }

    /// Starts what may start and polls every request on its way; true when an answer arrived.
    fn advance(&mut self, cx: &mut Context<'_>) -> bool {
        let mut arrived = false;
        loop {
            self.start_requests();
            let mut progressed = false;
            for chain in &mut self.chains {
                let Some(pending) = chain.pending.as_mut() else {
                    continue;
                };
                if let Poll::Ready(answer) = Pin::new(pending).poll(cx) {
                    chain.pending = None;
                    chain.next = match &answer {
                        Ok(page) if page.delta_link.is_none() => page.next_link.clone(),
                        _ => None,
                    };
                    chain.ready.push_back(answer);
                    progressed = true;
                }
            }
            if !progressed {
                return arrived;
            }
            arrived = true;
        }
    }

    /// Starts the next calendars' rounds while fewer than `at_once` download, and asks for each
    /// downloading calendar's next page while fewer than [`PAGES_AHEAD`] of its pages wait to be
    /// taken, or fewer than `held_most` of all calendars do.
    fn start_requests(&mut self) {
        let mut downloading = self.chains.iter().filter(|c| c.downloading()).count();
        let mut held: usize = self.chains.iter().map(|c| c.ready.len()).sum();
        for chain in &mut self.chains {
            if downloading < self.at_once
                && let Some(start) = chain.start.take()
            {
                chain.next = Some(start);
                downloading += 1;
            }
            if chain.pending.is_none()
                && (chain.ready.len() < PAGES_AHEAD || held < self.held_most)
                && let Some(url) = chain.next.take()
            {
                // Counted as held from now on, so the pages on their way stay within the bound.
                held += 1;
                let client = self.client;
                let page_size = self.page_size;
                chain.pending = Some(Box::pin(async move {
                    let prefer = ("Prefer", format!("odata.maxpagesize={page_size}"));
                    client.get_delta_page(&url, &[prefer]).await
                }));
            }
        }
    }
}
