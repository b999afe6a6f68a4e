//! Encodes every line of a file and prints how long it took (a quick check, not a benchmark).

#![expect(clippy::print_stdout, reason = "an example program prints its result")]

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: encode_lines FILE")?;
    let text = std::fs::read_to_string(path)?;
    let start = Instant::now();
    let tokenizer = cocoprep_targets::ClipTokenizer::new()?;
    let built = start.elapsed();
    let mut ids = 0;
    let mut lines = 0;
    for line in text.lines() {
        ids += tokenizer.encode(line).len();
        lines += 1;
    }
    println!(
        "tokenizer built in {built:?}; {lines} lines, {ids} ids in {:?}",
        start.elapsed() - built
    );
    Ok(())
}
