//! Progress display for library work: bars on a terminal, plain log lines otherwise
//! (Slurm and CI logs), nothing with `--quiet`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cocoprep_base::progress::{ProgressUnit, Reporter, TaskId};
use indicatif::{
    DecimalBytes, HumanDuration, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle,
};

use crate::settings::{GlobalSettings, Verbosity};

/// How often a log line is printed for a long task when stderr is not a terminal.
const LOG_INTERVAL: Duration = Duration::from_secs(10);
/// Tasks shorter than this get no completion line in log mode.
const LOG_MINIMUM: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Hidden,
    Bars,
    Log,
}

struct Task {
    label: String,
    unit: ProgressUnit,
    total: Option<u64>,
    position: u64,
    started: Instant,
    last_log: Instant,
    bar: Option<ProgressBar>,
}

/// The binary's [`Reporter`].
pub struct Progress {
    mode: Mode,
    multi: MultiProgress,
    tasks: Mutex<HashMap<TaskId, Task>>,
}

impl Progress {
    pub fn new(global: &GlobalSettings) -> Self {
        let mode = if global.verbosity == Verbosity::Quiet {
            Mode::Hidden
        } else if std::io::stderr().is_terminal() {
            Mode::Bars
        } else {
            Mode::Log
        };
        let target = if mode == Mode::Bars {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            mode,
            multi: MultiProgress::with_draw_target(target),
            tasks: Mutex::new(HashMap::new()),
        }
    }

    /// Prints a line above the bars (or plainly).
    pub fn println(&self, message: &str) {
        match self.mode {
            Mode::Hidden => {}
            Mode::Bars => {
                let _ = self.multi.println(message);
            }
            Mode::Log => eprintln!("{message}"),
        }
    }

    fn style(unit: ProgressUnit, total: Option<u64>) -> ProgressStyle {
        let template = match (unit, total.is_some()) {
            (ProgressUnit::Bytes, true) => {
                "{spinner} {msg} [{bar:30}] {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} ETA {eta}"
            }
            (ProgressUnit::Bytes, false) => {
                "{spinner} {msg} {decimal_bytes} {decimal_bytes_per_sec}"
            }
            (ProgressUnit::Items, true) => {
                "{spinner} {msg} [{bar:30}] {human_pos}/{human_len} {per_sec} ETA {eta}"
            }
            (ProgressUnit::Items, false) => "{spinner} {msg} {human_pos} {per_sec}",
        };
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ")
    }
}

fn amount(unit: ProgressUnit, value: u64) -> String {
    match unit {
        ProgressUnit::Bytes => DecimalBytes(value).to_string(),
        ProgressUnit::Items => value.to_string(),
    }
}

/// In log mode, prints a line for a task at most every [`LOG_INTERVAL`].
fn log_if_due(state: &mut Task) {
    if state.last_log.elapsed() < LOG_INTERVAL {
        return;
    }
    state.last_log = Instant::now();
    let done = amount(state.unit, state.position);
    // Rate and ETA over the whole task so far (log lines are 10 s apart).
    let seconds = state.started.elapsed().as_secs_f64().max(1e-3);
    let per_second = state.position as f64 / seconds;
    let rate = match state.unit {
        ProgressUnit::Bytes => format!("{}/s", DecimalBytes(per_second as u64)),
        ProgressUnit::Items => format!("{per_second:.0}/s"),
    };
    match state.total {
        Some(total) if total > 0 => {
            let left = total.saturating_sub(state.position) as f64;
            let eta = if per_second > 0.0 {
                format!(
                    ", ETA {}",
                    HumanDuration(Duration::from_secs_f64(left / per_second))
                )
            } else {
                String::new()
            };
            eprintln!(
                "{}: {:.0}% ({done} of {}, {rate}{eta})",
                state.label,
                100.0 * state.position as f64 / total as f64,
                amount(state.unit, total)
            )
        }
        _ => eprintln!("{}: {done} ({rate})", state.label),
    }
}

impl Reporter for Progress {
    fn on_task_start(&self, label: &str, total: Option<u64>, unit: ProgressUnit) -> TaskId {
        let id = TaskId::next();
        if self.mode == Mode::Hidden {
            return id;
        }
        let bar = (self.mode == Mode::Bars).then(|| {
            let bar = self.multi.add(ProgressBar::new(total.unwrap_or(0)));
            if total.is_none() {
                bar.set_length(u64::MAX);
            }
            bar.set_style(Self::style(unit, total));
            bar.set_message(label.to_owned());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let now = Instant::now();
        let task = Task {
            label: label.to_owned(),
            unit,
            total,
            position: 0,
            started: now,
            last_log: now,
            bar,
        };
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.insert(id, task);
        }
        id
    }

    fn on_task_progress(&self, task: TaskId, advanced: u64) {
        let Ok(mut tasks) = self.tasks.lock() else {
            return;
        };
        let Some(state) = tasks.get_mut(&task) else {
            return;
        };
        state.position += advanced;
        if let Some(bar) = &state.bar {
            bar.inc(advanced);
        } else {
            log_if_due(state);
        }
    }

    fn on_task_position(&self, task: TaskId, position: u64) {
        let Ok(mut tasks) = self.tasks.lock() else {
            return;
        };
        if let Some(state) = tasks.get_mut(&task) {
            state.position = position;
            if let Some(bar) = &state.bar {
                bar.set_position(position);
            } else {
                log_if_due(state);
            }
        }
    }

    fn on_task_total(&self, task: TaskId, total: u64) {
        let Ok(mut tasks) = self.tasks.lock() else {
            return;
        };
        if let Some(state) = tasks.get_mut(&task) {
            if state.total.is_none()
                && let Some(bar) = &state.bar
            {
                bar.set_style(Self::style(state.unit, Some(total)));
            }
            state.total = Some(total);
            if let Some(bar) = &state.bar {
                bar.set_length(total);
            }
        }
    }

    fn on_task_complete(&self, task: TaskId) {
        let Ok(mut tasks) = self.tasks.lock() else {
            return;
        };
        let Some(state) = tasks.remove(&task) else {
            return;
        };
        match state.bar {
            Some(bar) => {
                bar.finish_and_clear();
                self.multi.remove(&bar);
            }
            None => {
                let elapsed = state.started.elapsed();
                if elapsed >= LOG_MINIMUM {
                    eprintln!(
                        "{}: done, {} in {}",
                        state.label,
                        amount(state.unit, state.position),
                        HumanDuration(elapsed)
                    );
                }
            }
        }
    }

    fn on_warning(&self, message: &str) {
        self.println(&format!("warning: {message}"));
    }
}
