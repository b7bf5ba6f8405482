//! Down of Quick3 series a full round did not see: a master is never in the calendar view, so
//! at a full round's end the calendar's Quick3 series masters none of whose occurrences the
//! round showed are looked up by id (one `$batch` per 20), and those Outlook no longer has are
//! deleted, as delta's removal of a master would (a delta link that expired lost that removal).

use std::collections::{HashMap, HashSet};

use reqwest::Method;

use super::{Run, Stop, urlencode};
use crate::graph::GraphError;
use crate::graph::client::BatchPart;
use crate::graph::event::RemoteEntry;
use crate::store::sync_state::{CalendarAdvance, Link, SyncCalendar};

/// The `$batch` part looking up a series master by its remote id (only whether it is there).
fn lookup_part(n: usize, mailbox: &str, master: &str) -> BatchPart {
    BatchPart {
        id: format!("s{n}"),
        method: Method::GET,
        url: format!("{mailbox}/events/{}?$select=id", urlencode(master)),
        headers: vec![],
        body: None,
        depends_on: vec![],
    }
}

impl Run<'_, '_> {
    /// Notes the series masters whose occurrences a page of a full round shows.
    pub(super) fn note_series_seen(&mut self, entries: &[RemoteEntry], advance: &CalendarAdvance) {
        let Some(round) = &advance.full_round else {
            return;
        };
        let masters = entries.iter().filter_map(|entry| match entry {
            RemoteEntry::Present(event) => event.series.as_ref().map(|s| s.master_id.clone()),
            RemoteEntry::Removed { .. } => None,
        });
        self.series_seen
            .entry(round.clone())
            .or_default()
            .extend(masters);
    }

    /// The links of `calendar`'s Quick3 series masters that Outlook no longer has, when `advance`
    /// ends a full round (else none). Masters the round showed an occurrence of are left out
    /// (`note_series_seen`), and so are those in `touched`: the page reads those whole
    /// (`down_quick3_series`). The guard's count and the page's write share one lookup
    /// (`Run::series_present`). A dry run reads nothing, as for delta's removals.
    pub(super) async fn series_gone_unseen(
        &mut self,
        calendar: &SyncCalendar,
        advance: &CalendarAdvance,
        touched: &HashSet<String>,
        take: bool,
    ) -> std::result::Result<Vec<Link>, Stop> {
        let Some(round) = advance
            .full_round
            .as_ref()
            .filter(|_| advance.round_complete)
        else {
            return Ok(Vec::new());
        };
        let seen = if take {
            self.series_seen.remove(round).unwrap_or_default()
        } else {
            self.series_seen.get(round).cloned().unwrap_or_default()
        };
        if self.options.dry_run {
            return Ok(Vec::new());
        }
        let mut links: Vec<Link> = self
            .store
            .quick3_series_links(self.account.id)?
            .into_iter()
            .filter(|link| {
                link.calendar_id.as_deref() == Some(calendar.calendar_id.as_str())
                    && !touched.contains(&link.remote_id)
                    && !seen.contains(&link.remote_id)
            })
            .collect();
        links.sort_by(|a, b| a.remote_id.cmp(&b.remote_id));
        let unknown: Vec<&Link> = links
            .iter()
            .filter(|link| !self.series_present.contains_key(&link.remote_id))
            .collect();
        if !unknown.is_empty() {
            // Pages left open are committed before the sync waits on the network.
            self.commit_open_pages()?;
            let mailbox = self.client.in_mailbox("");
            let parts = unknown
                .iter()
                .enumerate()
                .map(|(n, link)| lookup_part(n, &mailbox, &link.remote_id))
                .collect();
            let mut answers: HashMap<String, _> =
                self.client.batch(parts).await.into_iter().collect();
            for (n, link) in unknown.iter().enumerate() {
                let present = match answers.remove(&format!("s{n}")) {
                    Some(Ok(_)) => true,
                    Some(Err(GraphError::NotFound)) => false,
                    Some(Err(err)) => return Err(Stop::Graph(err)),
                    None => {
                        return Err(Stop::Graph(GraphError::Malformed {
                            what: "a $batch answer without a part asked for".into(),
                        }));
                    }
                };
                self.series_present.insert(link.remote_id.clone(), present);
            }
        }
        let mut gone = Vec::new();
        for link in links {
            let present = if take {
                self.series_present.remove(&link.remote_id)
            } else {
                self.series_present.get(&link.remote_id).copied()
            };
            if present == Some(false) {
                gone.push(link);
            }
        }
        Ok(gone)
    }
}
