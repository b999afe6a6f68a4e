//! Progress reporting from library code.
//!
//! Libraries never print. Long operations take a `&dyn Reporter` and tell it what they
//! are doing; the `cocoprep` binary draws progress bars (or log lines when stderr is not a
//! terminal), tests and library users pass [`NoReporter`].

use std::sync::atomic::{AtomicU64, Ordering};

/// The unit a task counts in, so a reporter can format rates (`MB/s`, `images/s`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressUnit {
    /// Bytes of input or output.
    Bytes,
    /// Items: images, annotations, files, rows.
    Items,
}

/// A handle for one running task, returned by [`Reporter::on_task_start`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaskId(pub u64);

impl TaskId {
    /// A fresh id, unique within the process.
    pub fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Receives progress from long-running library operations. All methods may be called from
/// several threads at once.
pub trait Reporter: Send + Sync {
    /// A task starts; `total` is its size in `unit`s if known.
    fn on_task_start(&self, label: &str, total: Option<u64>, unit: ProgressUnit) -> TaskId;
    /// `advanced` more units of the task are done.
    fn on_task_progress(&self, task: TaskId, advanced: u64);
    /// The task's position jumps to `position` units (used when resuming).
    fn on_task_position(&self, task: TaskId, position: u64) {
        let _ = (task, position);
    }
    /// The task's total becomes known or changes.
    fn on_task_total(&self, task: TaskId, total: u64) {
        let _ = (task, total);
    }
    /// The task finished (successfully or not).
    fn on_task_complete(&self, task: TaskId);
    /// Something the user should know that does not stop the operation.
    fn on_warning(&self, message: &str) {
        let _ = message;
    }
}

/// A reporter that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoReporter;

impl Reporter for NoReporter {
    fn on_task_start(&self, _label: &str, _total: Option<u64>, _unit: ProgressUnit) -> TaskId {
        TaskId::next()
    }
    fn on_task_progress(&self, _task: TaskId, _advanced: u64) {}
    fn on_task_complete(&self, _task: TaskId) {}
}
