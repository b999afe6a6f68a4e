//! The viewer without the CLI around it, for bench/view.py: reads a COCO file, prints the
//! load time and the URL on stdout, and serves until killed.
//!
//! usage: view_server ANN.json [IMAGES_DIR]

#![expect(
    clippy::print_stdout,
    reason = "an example prints its URL for the bench script"
)]

use std::io::Write as _;
use std::path::PathBuf;

use cocoprep_base::progress::NoReporter;
use cocoprep_coco::{Coco, ReadOptions, read_dataset};
use cocoprep_render::viewer::{Viewer, bind, serve};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut arguments = std::env::args_os().skip(1);
    let file = PathBuf::from(
        arguments
            .next()
            .ok_or("usage: view_server ANN.json [IMAGES_DIR]")?,
    );
    let images_dir = arguments.next().map(PathBuf::from);
    let started = std::time::Instant::now();
    let dataset = read_dataset(&file, &ReadOptions { jobs: 0 }, &NoReporter)?;
    let coco = Coco::new(dataset);
    let loaded = started.elapsed().as_secs_f64();
    let listener = bind("127.0.0.1", 0)?;
    println!("load_seconds {loaded:.3}");
    println!("http://{}/", listener.local_addr()?);
    std::io::stdout().flush()?;
    serve(
        listener,
        Viewer::new(coco, images_dir, file.display().to_string()),
    );
    Ok(())
}
