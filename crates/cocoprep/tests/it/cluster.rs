//! The cluster layer end to end: N shards (one after another, and several at once) write
//! exactly the single-process output; a finished shard re-run does nothing; `status` lists
//! what is left; `--emit` scripts are valid shell; `--shard-from-env` errors say what to do.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};

use cocoprep_features::butd::row::encode_row;
use cocoprep_test::cli::{assert_exit, stderr, stdout};
use cocoprep_test::{shared_golden, temp_dir};

/// The variables `--shard-from-env` reads, removed from every test run (the tests may
/// themselves run inside an array job).
const ARRAY_VARIABLES: &[&str] = &[
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SGE_TASK_ID",
    "SGE_TASK_FIRST",
    "SGE_TASK_LAST",
    "SGE_TASK_STEPSIZE",
    "PBS_ARRAY_INDEX",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
];

fn command(args: &[OsString], variables: &[(&str, String)]) -> std::process::Command {
    let mut command = crate::cocoprep_command();
    for name in ARRAY_VARIABLES {
        command.env_remove(name);
    }
    command
        .args(args)
        .envs(variables.iter().map(|(k, v)| (k, v)));
    command
}

fn run(args: &[OsString], variables: &[(&str, String)]) -> Output {
    command(args, variables).output().expect("cocoprep starts")
}

fn words(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

fn with(mut args: Vec<OsString>, more: &[&str]) -> Vec<OsString> {
    args.extend(more.iter().map(OsString::from));
    args
}

/// Every file under `root` (relative path → bytes, or `-> target` for symbolic links),
/// without the job markers and without the names `skip` says are per-shard.
fn tree(root: &Path, skip: &dyn Fn(&str) -> bool) -> BTreeMap<String, Vec<u8>> {
    fn walk(
        root: &Path,
        folder: &Path,
        skip: &dyn Fn(&str) -> bool,
        files: &mut BTreeMap<String, Vec<u8>>,
    ) {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if relative.starts_with(".cocoprep-jobs") || skip(&relative) {
                continue;
            }
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                files.insert(relative, format!("-> {}", target.display()).into_bytes());
            } else if kind.is_dir() {
                files.insert(format!("{relative}/"), Vec::new());
                walk(root, &path, skip, files);
            } else {
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(root, root, skip, &mut files);
    files
}

/// Runs a command whole, as 4 shards one after another (`--shard I/4`), and as 4 Slurm
/// array tasks two at a time (`--shard-from-env --shards 4`); checks that the three trees
/// are byte-identical (but for `skip`), that a finished shard re-run does nothing, and that
/// `status` calls the job complete. `make` gives the arguments for an output location,
/// `root` the folder that holds `.cocoprep-jobs`.
pub fn shards_equal_single_run(
    make: &dyn Fn(&Path) -> Vec<OsString>,
    root: &dyn Fn(&Path) -> PathBuf,
    skip: &dyn Fn(&str) -> bool,
) {
    let folder = temp_dir();
    let single = folder.path().join("single");
    let sequential = folder.path().join("sequential");
    let parallel = folder.path().join("parallel");
    let output = run(&make(&single), &[]);
    assert_exit(&output, 0);
    for index in 0..4 {
        let output = run(
            &with(make(&sequential), &["--shard", &format!("{index}/4")]),
            &[],
        );
        assert_exit(&output, 0);
    }
    for pair in [[0, 1], [2, 3]] {
        let children: Vec<Child> = pair
            .iter()
            .map(|index| {
                command(
                    &with(make(&parallel), &["--shard-from-env", "--shards", "4"]),
                    &[("SLURM_ARRAY_TASK_ID", index.to_string())],
                )
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
            })
            .collect();
        for child in children {
            assert_exit(&child.wait_with_output().unwrap(), 0);
        }
    }
    let expected = tree(&single, skip);
    assert!(expected.len() > 3, "{:?}", expected.keys());
    let sequential_tree = tree(&sequential, skip);
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        sequential_tree.keys().collect::<Vec<_>>()
    );
    assert!(expected == sequential_tree, "sequential shards differ");
    assert!(expected == tree(&parallel, skip), "parallel shards differ");
    // `data.yaml` names its own folder: equal once that is taken out.
    let yaml = |out: &Path| {
        std::fs::read_to_string(out.join("data.yaml"))
            .ok()
            .map(|text| text.replace(&out.display().to_string(), "OUT"))
    };
    assert_eq!(yaml(&single), yaml(&sequential));
    assert_eq!(yaml(&single), yaml(&parallel));

    // A finished shard does nothing when run again.
    let again = run(&with(make(&sequential), &["--shard", "2/4", "-v"]), &[]);
    assert_exit(&again, 0);
    let message = stderr(&again);
    assert!(
        message.contains("shard 2/4 already done (marker "),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");

    for done in [&sequential, &parallel] {
        let status = run(
            &[OsString::from("status"), root(done).into_os_string()],
            &[],
        );
        assert_exit(&status, 0);
        assert!(
            stdout(&status).contains("4 of 4 shards done, complete"),
            "{}",
            stdout(&status)
        );
    }
}

fn butd_args(out: &Path) -> Vec<OsString> {
    let golden = shared_golden().unwrap();
    let mut args = words(&["features", "butd"]);
    args.push(golden.join("butd/trainval").into_os_string());
    args.push("--output-dir".into());
    args.push(out.join("cocobu").into_os_string());
    args
}

#[test]
fn butd_shards_write_exactly_the_single_run_output() {
    if shared_golden().is_none() {
        eprintln!("skipping: ../shared/golden is absent");
        return;
    }
    shards_equal_single_run(&butd_args, &|out| out.to_owned(), &|name| {
        name.starts_with("cocobu_report")
    });
}

#[test]
fn butd_shards_keep_duplicate_ids_together_and_report_per_shard() {
    let folder = temp_dir();
    let tsv = folder.path().join("rows.tsv");
    let row = |id: u64, scale: f32| {
        let boxes: Vec<[f32; 4]> = (0..2).map(|i| [i as f32, 0.0, 10.0, 10.0]).collect();
        let features: Vec<f32> = (0..2 * 8).map(|i| i as f32 * scale).collect();
        encode_row(id, 64, 48, &boxes, &features)
    };
    // Id 7 twice: the later row must win in whichever shard owns it.
    let text: String = (1..=20)
        .map(|id| row(id, 1.0))
        .chain([row(7, 2.0)])
        .collect();
    std::fs::write(&tsv, text).unwrap();
    let make = |out: &Path| {
        let mut args = words(&["features", "butd"]);
        args.push(tsv.clone().into_os_string());
        args.push("--output-dir".into());
        args.push(out.join("cocobu").into_os_string());
        args
    };
    shards_equal_single_run(&make, &|out| out.to_owned(), &|name| {
        name.starts_with("cocobu_report")
    });
    let out = folder.path().join("reports");
    let mut rows = 0;
    for index in 0..3 {
        let output = run(
            &with(make(&out), &["--json", "--shard", &format!("{index}/3")]),
            &[],
        );
        assert_exit(&output, 0);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        rows += report["rows"].as_u64().unwrap();
        assert!(
            out.join(format!("cocobu_report.shard-{index}-of-3.json"))
                .is_file()
        );
    }
    assert_eq!(rows, 21);
    assert!(!out.join("cocobu_report.json").exists());
}

#[test]
fn butd_refuses_to_shard_a_database_store() {
    let folder = temp_dir();
    let output = run(
        &with(
            butd_args_for(folder.path()),
            &["--store", "lmdb", "--shard", "0/2"],
        ),
        &[],
    );
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("--store lmdb"),
        "{}",
        stderr(&output)
    );
}

fn butd_args_for(out: &Path) -> Vec<OsString> {
    let mut args = words(&["features", "butd"]);
    args.push(out.join("missing.tsv").into_os_string());
    args.push("--output-dir".into());
    args.push(out.join("cocobu").into_os_string());
    args
}

#[test]
fn status_lists_unfinished_shards_and_the_resubmit_line() {
    if shared_golden().is_none() {
        eprintln!("skipping: ../shared/golden is absent");
        return;
    }
    let folder = temp_dir();
    let script = folder.path().join("butd job.sbatch");
    let emitted = command(
        &with(
            butd_args(folder.path()),
            &["--emit", "slurm", "--shards", "5"],
        ),
        &[],
    )
    .stdout(std::fs::File::create(&script).unwrap())
    .output()
    .unwrap();
    assert_exit(&emitted, 0);
    let text = std::fs::read_to_string(&script).unwrap();
    let line = text.lines().last().unwrap();
    assert!(line.ends_with("--shard-from-env --shards 5"), "{line}");
    assert!(line.contains("--job-script '"), "{line}");
    // Run the script's command for tasks 0, 2 and 4 (as Slurm would), from the script.
    for index in [0, 2, 4] {
        let output = std::process::Command::new("bash")
            .arg(&script)
            .env("SLURM_ARRAY_TASK_ID", index.to_string())
            .env_remove("COCOPREP_JOBS")
            .output()
            .unwrap();
        assert_exit(&output, 0);
    }
    let status = run(&[OsString::from("status"), folder.path().into()], &[]);
    assert_exit(&status, 1);
    let text = stdout(&status);
    assert!(
        text.contains("features butd: 3 of 5 shards done, unfinished: 1,3"),
        "{text}"
    );
    assert!(
        text.contains(&format!("sbatch --array=1,3 '{}'", script.display())),
        "{text}"
    );
    let json = run(
        &[
            OsString::from("status"),
            folder.path().into(),
            "--json".into(),
        ],
        &[],
    );
    assert_exit(&json, 1);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let job = &value["jobs"][0];
    assert_eq!(job["unfinished_array"], "1,3");
    assert_eq!(job["shards"], 5);
    assert_eq!(job["scheduler"], "slurm");
    assert!(
        job["job_id"]
            .as_str()
            .unwrap()
            .starts_with("features-butd-")
    );
    let marker: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            folder
                .path()
                .join(".cocoprep-jobs")
                .join(job["job_id"].as_str().unwrap())
                .join("shard-2-of-5.done"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (marker["shard"].as_u64(), marker["shards"].as_u64()),
        (Some(2), Some(5))
    );
    for key in ["command_line", "host", "started", "finished", "items"] {
        assert!(!marker[key].is_null(), "{key}: {marker}");
    }
    // A folder without jobs is complete.
    let empty = temp_dir();
    let status = run(&[OsString::from("status"), empty.path().into()], &[]);
    assert_exit(&status, 0);
}

#[test]
fn shard_from_env_errors_name_the_variable_and_the_fix() {
    let folder = temp_dir();
    // Variables, extra arguments, a piece of the expected message.
    type Case = (
        &'static [(&'static str, &'static str)],
        &'static [&'static str],
        &'static str,
    );
    let cases: &[Case] = &[
        (&[], &[], "no array task in the environment"),
        (&[("PBS_ARRAY_INDEX", "1")], &[], "`PBS_ARRAY_INDEX`"),
        (
            &[("JOB_COMPLETION_INDEX", "x")],
            &["--shards", "2"],
            "`JOB_COMPLETION_INDEX` is `x`",
        ),
        (
            &[("SLURM_ARRAY_TASK_ID", "9")],
            &["--shards", "4"],
            "outside 0..4",
        ),
    ];
    for (variables, extra, expected) in cases {
        let variables: Vec<(&str, String)> = variables
            .iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect();
        let mut args = with(butd_args_for(folder.path()), &["--shard-from-env"]);
        args.extend(extra.iter().map(OsString::from));
        let output = run(&args, &variables);
        assert_exit(&output, 2);
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
    let output = run(&with(butd_args_for(folder.path()), &["--shards", "3"]), &[]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("--shards N needs"),
        "{}",
        stderr(&output)
    );
}

/// `--emit` for every system: valid bash, the whole array, the count passed explicitly.
pub fn emitted_scripts_are_valid(args: &[OsString]) {
    for (system, array) in [
        ("slurm", "#SBATCH --array=0-3"),
        ("sge", "#$ -t 1-4"),
        ("pbs", "#PBS -J 0-3"),
    ] {
        let output = run(
            &with(args.to_vec(), &["--emit", system, "--shards", "4"]),
            &[],
        );
        assert_exit(&output, 0);
        let script = stdout(&output);
        assert!(script.contains(array), "{script}");
        assert!(
            script.trim_end().ends_with("--shard-from-env --shards 4"),
            "{script}"
        );
        let checked = std::process::Command::new("bash")
            .args(["-n", "-c", &script])
            .output()
            .unwrap();
        assert_exit(&checked, 0);
    }
}

#[test]
fn butd_emits_array_job_scripts() {
    let folder = temp_dir();
    emitted_scripts_are_valid(&butd_args_for(folder.path()));
}

fn coco_mini() -> Option<PathBuf> {
    let folder = cocoprep_test::shared_data()?.join("coco-mini");
    folder.is_dir().then_some(folder)
}

fn semantic_args(out: &Path) -> Vec<OsString> {
    let mini = coco_mini().unwrap();
    let mut args = words(&["masks", "semantic"]);
    args.push(
        mini.join("annotations/instances_val2017.json")
            .into_os_string(),
    );
    args.push("-o".into());
    args.push(out.into());
    args
}

#[test]
fn semantic_shards_write_exactly_the_single_run_output() {
    if coco_mini().is_none() {
        eprintln!("skipping: ../shared/data/coco-mini is absent");
        return;
    }
    shards_equal_single_run(&semantic_args, &|out| out.to_owned(), &|_| false);
    emitted_scripts_are_valid(&semantic_args(Path::new("/data/maps")));
}

fn yolo_args(out: &Path, extra: &[&str]) -> Vec<OsString> {
    let mini = coco_mini().unwrap();
    let mut args = words(&["convert", "yolo"]);
    args.push(
        mini.join("annotations/instances_val2017.json")
            .into_os_string(),
    );
    args.push("--images".into());
    args.push(mini.into_os_string());
    args.push("-o".into());
    args.push(out.into());
    with(args, extra)
}

#[test]
fn yolo_shards_write_exactly_the_single_run_output() {
    if coco_mini().is_none() {
        eprintln!("skipping: ../shared/data/coco-mini is absent");
        return;
    }
    let skip_yaml = |name: &str| name == "data.yaml";
    shards_equal_single_run(
        &|out| yolo_args(out, &[]),
        &|out| out.to_owned(),
        &skip_yaml,
    );
    shards_equal_single_run(
        &|out| yolo_args(out, &["--segments", "--link", "sym"]),
        &|out| out.to_owned(),
        &skip_yaml,
    );
    shards_equal_single_run(
        &|out| yolo_args(out, &["--keypoints", "--link", "copy"]),
        &|out| out.to_owned(),
        &skip_yaml,
    );
    emitted_scripts_are_valid(&yolo_args(Path::new("/data/my yolo"), &["--segments"]));
}
