//! The tree check: `DATA_PATH/open_source_dataset/` against everything Uni-Perceiver's
//! configs read, dataset by dataset (present / missing / wrong name / wrong format / stale
//! cache), each problem with its fix; `init` creates the folders; `clean_caches` deletes the
//! loaders' cache pickles.
//!
//! What is checked where is one table, [`catalog`]; [`probe`] holds the format checks;
//! [`report`] the result.

pub mod catalog;
pub mod probe;
pub mod report;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::error::Error;
use crate::layout::{DATASET_FOLDER, DataRoot};
use catalog::{DatasetEntry, ItemKind};
use probe::Finding;
use report::{DatasetReport, Problem, ProblemKind, Report, SCHEMA_VERSION, Status};

/// What to check.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Only these datasets (catalog names); all when empty.
    pub datasets: Vec<String>,
    /// The `DATA_PATH` environment variable, if set (checked for the one-level-too-deep
    /// mistake).
    pub data_path_env: Option<PathBuf>,
}

/// The catalog entries selected by `names` (all when empty); unknown names are an error.
pub fn select(names: &[String]) -> Result<Vec<DatasetEntry>, Error> {
    let all = catalog::catalog();
    if names.is_empty() {
        return Ok(all);
    }
    for name in names {
        if !all.iter().any(|entry| entry.name == name) {
            return Err(Error::invalid(
                Path::new(name),
                format!(
                    "no such dataset in the tree check (known: {})",
                    catalog::dataset_names().join(", ")
                ),
            ));
        }
    }
    Ok(all
        .into_iter()
        .filter(|entry| names.iter().any(|name| name == entry.name))
        .collect())
}

/// Fills `{root}` and `{osd}` in a fix.
fn fill(fix: &str, root: &DataRoot) -> String {
    fix.replace("{root}", &shell_word(root.data_path()))
        .replace("{osd}", &shell_word(&root.dataset_folder()))
}

/// A path as one shell word (quoted when it needs to be).
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"/._-+=:,@%".contains(&byte))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Checks the tree under `root`.
pub fn check(root: &DataRoot, options: &CheckOptions) -> Result<Report, Error> {
    let entries = select(&options.datasets)?;
    let folder = root.dataset_folder();
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    if root.passed_dataset_folder() {
        notes.push(format!(
            "you passed the `{DATASET_FOLDER}` folder itself; DATA_PATH is its parent, `{}`",
            root.data_path().display()
        ));
    }
    if let Some(env) = &options.data_path_env
        && crate::layout::is_dataset_folder(env)
    {
        {
            problems.push(Problem {
                kind: ProblemKind::WrongName,
                path: String::new(),
                detail: format!(
                    "DATA_PATH is `{}`, one level too deep: the configs' paths already start with `{DATASET_FOLDER}/`",
                    env.display()
                ),
                fix: format!("export DATA_PATH={}", shell_word(env.parent().unwrap_or(Path::new(".")))),
            });
        }
    }
    if folder.join(DATASET_FOLDER).is_dir() {
        problems.push(Problem {
            kind: ProblemKind::WrongName,
            path: DATASET_FOLDER.to_owned(),
            detail: format!(
                "`{DATASET_FOLDER}/{DATASET_FOLDER}/`: the datasets are one level too deep"
            ),
            fix: format!(
                "mv {0}/{DATASET_FOLDER}/* {0}/ && rmdir {0}/{DATASET_FOLDER}",
                shell_word(&folder)
            ),
        });
    }
    if !folder.is_dir() {
        problems.push(Problem {
            kind: ProblemKind::Missing,
            path: String::new(),
            detail: format!("`{}` does not exist", folder.display()),
            fix: format!("cocoprep tree {} --init", shell_word(root.data_path())),
        });
    }
    let datasets = entries
        .iter()
        .map(|entry| check_dataset(entry, root))
        .collect();
    Ok(Report {
        schema: SCHEMA_VERSION,
        data_path: root.data_path().to_path_buf(),
        dataset_folder: folder,
        notes,
        problems,
        datasets,
    })
}

fn check_dataset(entry: &DatasetEntry, root: &DataRoot) -> DatasetReport {
    let folder = root.dataset_folder();
    let mut present = Vec::new();
    let mut problems = Vec::new();
    // Wrong names first: the right name they stand for is then not also reported missing.
    let mut covered: Vec<&str> = Vec::new();
    for wrong in &entry.wrong_names {
        let expected = folder.join(&wrong.expected);
        // An empty folder under the right name (as `init` makes) does not count: `mv` would
        // move the wrong one into it, so the fix removes it first.
        let expected_empty = is_empty_folder(&expected);
        if folder.join(&wrong.found).exists() && (!expected.exists() || expected_empty) {
            covered.push(&wrong.expected);
            let mv = format!(
                "mv {} {}",
                shell_word(&folder.join(&wrong.found)),
                shell_word(&expected)
            );
            problems.push(Problem {
                kind: ProblemKind::WrongName,
                path: wrong.found.clone(),
                detail: format!("the configs read `{}` ({})", wrong.expected, wrong.origin),
                fix: if expected_empty {
                    format!("rmdir {} && {mv}", shell_word(&expected))
                } else {
                    mv
                },
            });
        }
    }
    let is_covered = |path: &str| {
        covered
            .iter()
            .any(|expected| path == *expected || path.starts_with(&format!("{expected}/")))
    };
    let mut missing = Vec::new();
    let mut has_content = false;
    let wrong_name_found = !problems.is_empty();
    for item in &entry.items {
        let path = folder.join(&item.path);
        let fix = fill(&item.fix, root);
        let exists = match item.kind {
            ItemKind::Link(_) => path.symlink_metadata().is_ok(),
            _ => path.exists(),
        };
        if !exists {
            if !is_covered(&item.path) && !item.optional {
                missing.push(Problem {
                    kind: ProblemKind::Missing,
                    path: item.path.clone(),
                    detail: missing_detail(&item.kind),
                    fix,
                });
            }
            continue;
        }
        let finding = match item.kind {
            ItemKind::File(format) => {
                if path.is_file() {
                    probe::probe(format, &path, &item.path, &folder)
                } else {
                    Err(Finding::WrongFormat(
                        "a folder where a file belongs".to_owned(),
                    ))
                }
            }
            ItemKind::Folder => match std::fs::read_dir(&path) {
                Ok(entries) => {
                    // The links to `.` that `init` makes are not content.
                    let content = entries.flatten().any(|entry| {
                        std::fs::read_link(entry.path())
                            .map_or(true, |target| target != Path::new("."))
                    });
                    if content {
                        Ok(())
                    } else {
                        Err(Finding::WrongFormat("the folder is empty".to_owned()))
                    }
                }
                Err(_) => Err(Finding::WrongFormat("not a readable folder".to_owned())),
            },
            ItemKind::LabelFolders(dataset) => probe::label_folders(dataset, &path),
            ItemKind::Link(target) => {
                if path.is_dir() {
                    Ok(())
                } else {
                    Err(Finding::WrongFormat(format!(
                        "not a link to an existing folder (`{target}` next to it)"
                    )))
                }
            }
        };
        // Empty folders (as `init` leaves them) and links are not content.
        if matches!(item.kind, ItemKind::File(_))
            || finding.is_ok() && !matches!(item.kind, ItemKind::Link(_))
        {
            has_content = true;
        }
        match finding {
            Ok(()) => present.push(item.path.clone()),
            Err(Finding::WrongFormat(detail)) => problems.push(Problem {
                kind: ProblemKind::WrongFormat,
                path: item.path.clone(),
                detail,
                fix,
            }),
            Err(Finding::MissingReferenced { path, detail }) => problems.push(Problem {
                kind: ProblemKind::Missing,
                path,
                detail,
                fix,
            }),
        }
    }
    let (caches, stale) = find_caches(entry, &folder, root);
    problems.extend(stale);
    let absent = !has_content && !wrong_name_found && caches.is_empty();
    if absent {
        // Nothing there: one problem with every command that makes the dataset.
        let fixes: BTreeSet<&str> = missing.iter().map(|problem| problem.fix.as_str()).collect();
        let mut ordered: Vec<String> = Vec::new();
        for problem in &missing {
            if fixes.contains(problem.fix.as_str()) && !ordered.contains(&problem.fix) {
                ordered.push(problem.fix.clone());
            }
        }
        return DatasetReport {
            name: entry.name,
            title: entry.title,
            folder: entry.folder,
            status: Status::Absent,
            present,
            caches,
            problems: vec![Problem {
                kind: ProblemKind::Missing,
                path: entry.folder.to_owned(),
                detail: format!(
                    "not prepared ({} files or folders the configs read)",
                    entry.items.len()
                ),
                fix: ordered.join("\n"),
            }],
        };
    }
    missing.extend(problems);
    let problems = missing;
    DatasetReport {
        name: entry.name,
        title: entry.title,
        folder: entry.folder,
        status: if problems.is_empty() {
            Status::Ok
        } else {
            Status::Problems
        },
        present,
        caches,
        problems,
    }
}

/// A folder with nothing in it (not even links).
fn is_empty_folder(path: &Path) -> bool {
    path.symlink_metadata()
        .is_ok_and(|metadata| metadata.is_dir())
        && std::fs::read_dir(path).is_ok_and(|mut entries| entries.next().is_none())
}

fn missing_detail(kind: &ItemKind) -> String {
    match kind {
        ItemKind::File(_) => "the configs read this file".to_owned(),
        ItemKind::Folder => "the configs read images or videos from this folder".to_owned(),
        ItemKind::LabelFolders(_) => "the loader reads videos from <this>/<label>/".to_owned(),
        ItemKind::Link(".") => {
            "the loader joins this name in front of every video path (a path bug that only works on \
             the authors' storage); a link to `.` makes it work on a local disk"
                .to_owned()
        }
        ItemKind::Link(target) => {
            format!("some configs read the dataset under this name: a link to `{target}`")
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
}

/// The cache pickles of `entry` that exist (relative paths), and a stale-cache problem for
/// each one older than a source it is built from.
fn find_caches(
    entry: &DatasetEntry,
    folder: &Path,
    root: &DataRoot,
) -> (Vec<String>, Vec<Problem>) {
    let mut found = Vec::new();
    let mut stale = Vec::new();
    for rule in &entry.caches {
        for (relative, path) in cache_files(folder, rule) {
            let cache_time = modified(&path);
            let newer_source = rule.sources.iter().find(|source| {
                match (modified(&folder.join(source)), cache_time) {
                    (Some(source_time), Some(cache_time)) => source_time > cache_time,
                    _ => false,
                }
            });
            if let Some(source) = newer_source {
                stale.push(Problem {
                    kind: ProblemKind::StaleCache,
                    path: relative.clone(),
                    detail: format!(
                        "older than `{source}`, which it was built from; the loader never rebuilds it and would train on the old data"
                    ),
                    fix: format!(
                        "cocoprep tree {} --clean-caches --dataset {}",
                        shell_word(root.data_path()),
                        entry.name
                    ),
                });
            }
            found.push(relative);
        }
    }
    (found, stale)
}

/// `(relative, absolute)` of every cache pickle of `rule`.
fn cache_files(folder: &Path, rule: &catalog::CacheRule) -> Vec<(String, PathBuf)> {
    let directory = folder.join(&rule.folder);
    let Ok(entries) = std::fs::read_dir(&directory) else {
        return Vec::new();
    };
    let mut files: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            (name.starts_with(rule.prefix) && name.ends_with(".pkl") && entry.path().is_file())
                .then(|| (format!("{}/{name}", rule.folder), entry.path()))
        })
        .collect();
    files.sort();
    files
}

/// Deletes the cache pickles of the selected datasets; returns what was deleted.
pub fn clean_caches(root: &DataRoot, datasets: &[String]) -> Result<Vec<PathBuf>, Error> {
    let folder = root.dataset_folder();
    let mut deleted = Vec::new();
    for entry in select(datasets)? {
        for rule in &entry.caches {
            for (_, path) in cache_files(&folder, rule) {
                std::fs::remove_file(&path).map_err(Error::io("delete", &path))?;
                deleted.push(path);
            }
        }
    }
    Ok(deleted)
}

/// Creates the links the selected datasets need (the video loaders' `.hdf5` path
/// workaround, `text_corpus`), and their folders; returns the links created. The
/// preparers call it so a prepared dataset passes the check without `init`.
pub fn make_links(root: &DataRoot, datasets: &[String]) -> Result<Vec<PathBuf>, Error> {
    let folder = root.dataset_folder();
    let mut created = Vec::new();
    for entry in select(datasets)? {
        for item in &entry.items {
            let ItemKind::Link(target) = item.kind else {
                continue;
            };
            let path = folder.join(&item.path);
            if path.symlink_metadata().is_ok() {
                continue;
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(Error::io("create", parent))?;
            }
            symlink(target, &path)?;
            created.push(path);
        }
    }
    Ok(created)
}

/// Creates `open_source_dataset/` and every dataset's folders (and the links that work
/// around the video loaders' path bug); returns what was created.
pub fn init(root: &DataRoot, datasets: &[String]) -> Result<Vec<PathBuf>, Error> {
    let folder = root.dataset_folder();
    let mut created = Vec::new();
    let make = |path: PathBuf, created: &mut Vec<PathBuf>| -> Result<(), Error> {
        if !path.exists() {
            std::fs::create_dir_all(&path).map_err(Error::io("create", &path))?;
            created.push(path);
        }
        Ok(())
    };
    make(folder.clone(), &mut created)?;
    for entry in select(datasets)? {
        // A wrong name already there is left for the user (the check says how to fix it).
        if entry
            .wrong_names
            .iter()
            .any(|wrong| folder.join(&wrong.found).exists() && wrong.expected == entry.folder)
        {
            continue;
        }
        if !entry.folder.is_empty() {
            make(folder.join(entry.folder), &mut created)?;
        }
        for extra in &entry.folders {
            make(folder.join(extra), &mut created)?;
        }
        for item in &entry.items {
            let path = folder.join(&item.path);
            match item.kind {
                ItemKind::File(_) => {
                    if let Some(parent) = path.parent() {
                        make(parent.to_path_buf(), &mut created)?;
                    }
                }
                ItemKind::Folder | ItemKind::LabelFolders(_) => make(path, &mut created)?,
                ItemKind::Link(target) => {
                    if let Some(parent) = path.parent() {
                        make(parent.to_path_buf(), &mut created)?;
                    }
                    if path.symlink_metadata().is_err() {
                        symlink(target, &path)?;
                        created.push(path);
                    }
                }
            }
        }
    }
    Ok(created)
}

#[cfg(unix)]
fn symlink(target: &str, path: &Path) -> Result<(), Error> {
    // Relative to the link's folder: `text_corpus` -> `bert_pretrain_data/bookswiki`.
    std::os::unix::fs::symlink(target, path).map_err(Error::io("link", path))
}

#[cfg(not(unix))]
fn symlink(_target: &str, path: &Path) -> Result<(), Error> {
    Err(Error::Io {
        action: "link",
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "links are only made on Unix; create the folder link by hand",
        ),
    })
}
