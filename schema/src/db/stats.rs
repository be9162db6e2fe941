//! Counting the SQL statements a request runs, so that tests and operators can see that a
//! request's statement count depends on its shape, never on page sizes.
//!
//! The HTTP layer runs each request inside [`StatementCount::scope`]; [`super::Db::run`] carries
//! the count to the blocking thread that talks to the database, where a diesel
//! instrumentation adds one per statement.

use diesel::connection::{Instrumentation, InstrumentationEvent};
use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

tokio::task_local! {
    static CURRENT: StatementCount;
}

thread_local! {
    static ON_THIS_THREAD: RefCell<Option<StatementCount>> = const { RefCell::new(None) };
}

/// A shared counter of SQL statements for one request.
#[derive(Debug, Clone, Default)]
pub struct StatementCount(Arc<AtomicU64>);

impl StatementCount {
    /// Statements counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Runs `future` with this counter as the current one.
    pub fn scope<F: Future>(&self, future: F) -> impl Future<Output = F::Output> + use<F> {
        CURRENT.scope(self.clone(), future)
    }

    /// The counter of the request being served by the current task, if any.
    pub fn current() -> Option<StatementCount> {
        CURRENT.try_with(StatementCount::clone).ok()
    }

    /// Runs `work` on this thread with `count` receiving the statements it executes.
    pub(crate) fn on_thread<T>(count: Option<StatementCount>, work: impl FnOnce() -> T) -> T {
        let previous = ON_THIS_THREAD.with(|slot| slot.replace(count));
        let result = work();
        ON_THIS_THREAD.with(|slot| *slot.borrow_mut() = previous);
        result
    }
}

/// The diesel instrumentation installed on every pooled connection.
pub(crate) struct CountStatements;

impl Instrumentation for CountStatements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            ON_THIS_THREAD.with(|slot| {
                if let Some(count) = slot.borrow().as_ref() {
                    count.0.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    }
}
