//! How far a long `jalin import` has gone: a bar on a terminal, plain log lines elsewhere
//! (a pipe, a file, a CI log), where a redrawn bar would only be noise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::exchange::import::Progress;

/// The progress display of a command-line import.
pub enum ImportProgress {
    /// Standard error is a terminal: one bar over the document's records, redrawn in place
    /// and cleared at the end.
    Bar(ProgressBar),
    /// Standard error is not a terminal: a log line per list (`action_plans: 60000 records`).
    Lines,
}

impl ImportProgress {
    /// The display for a document of `records` records, as standard error allows.
    pub fn on_stderr(records: usize) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self::Lines;
        }
        let style = ProgressStyle::with_template("{msg:<14} [{bar:30}] {pos}/{len} records ({elapsed})")
            .map_or_else(|_| ProgressStyle::default_bar(), |style| style.progress_chars("=> "));
        let bar = ProgressBar::with_draw_target(Some(records as u64), ProgressDrawTarget::stderr());
        Self::Bar(bar.with_style(style))
    }

    /// The import starts, or starts again (a PostgreSQL transaction run again after a
    /// concurrent writer won): the bar goes back to its beginning.
    pub fn start(&self) {
        if let Self::Bar(bar) = self {
            bar.set_position(0);
        }
    }

    /// The import has ended, one way or the other: the bar leaves the terminal to the answer.
    pub fn finish(&self) {
        if let Self::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

impl Progress for ImportProgress {
    fn list_started(&mut self, list: &'static str, _: usize) {
        if let Self::Bar(bar) = self {
            bar.set_message(list);
        }
    }

    fn next_record(&mut self) {
        if let Self::Bar(bar) = self {
            bar.inc(1);
        }
    }

    fn list_done(&mut self, list: &'static str, records: usize) {
        if matches!(self, Self::Lines) && records > 0 {
            log::info!("{list}: {records} records");
        }
    }

    fn writing_audit_trail(&mut self) {
        match self {
            Self::Bar(bar) => bar.set_message("audit trail"),
            Self::Lines => log::info!("writing the audit trail"),
        }
    }
}
