//! `cocoprep targets names NAMES -o OUT.pkl [--json OUT.json]` through the library alone, for
//! timing the tokenizer and the writers in a release build without building the whole
//! binary (`cargo run --release -p cocoprep-targets --example targets_names -- NAMES -o
//! OUT.pkl --json OUT.json`). The binary's own words before the paths (`-q targets names`)
//! are accepted and skipped, so benchmark scripts can pass it as the cocoprep binary.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: targets_names [-q targets names] NAMES -o OUT.pkl [--json OUT.json]";
    let mut args = std::env::args().skip(1).peekable();
    while args
        .peek()
        .is_some_and(|arg| ["-q", "targets", "names"].contains(&arg.as_str()))
    {
        args.next();
    }
    let names = PathBuf::from(args.next().ok_or(usage)?);
    let (mut output, mut json) = (None, None);
    while let Some(flag) = args.next() {
        let value = PathBuf::from(args.next().ok_or(usage)?);
        match flag.as_str() {
            "-o" | "--output" => output = Some(value),
            "--json" => json = Some(value),
            _ => return Err(usage.into()),
        }
    }
    let output = output.ok_or(usage)?;
    cocoprep_targets::names::write_names_file(&names, &output, json.as_deref())?;
    Ok(())
}
