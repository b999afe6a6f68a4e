//! Pictures compared pixel by pixel with committed golden PNGs.
//!
//! Tolerance: tiny-skia and the glyph rasteriser are deterministic on one platform (on
//! x86_64 Linux every pixel matches). Another CPU may round anti-aliased edges
//! differently, so a pixel may differ by up to 2 per channel, and at most 0.5% of the
//! pixels (edge pixels) may differ by more. Set `COCOPREP_UPDATE_GOLDEN=1` to rewrite the
//! goldens; a failing test leaves the picture it drew in `target/golden-actual/`.

use std::path::Path;

/// Compares the PNG `actual` (RGB or RGBA, 8 bits) with the golden PNG at `golden_path`
/// within the tolerance above; `COCOPREP_UPDATE_GOLDEN=1` writes `actual` there instead.
pub fn assert_png_matches_golden(golden_path: &Path, actual: &[u8]) {
    let name = golden_path
        .file_stem()
        .map_or_else(|| "picture".into(), |stem| stem.to_string_lossy());
    if std::env::var_os("COCOPREP_UPDATE_GOLDEN").is_some() {
        std::fs::write(golden_path, actual).unwrap();
        return;
    }
    let golden = std::fs::read(golden_path).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (COCOPREP_UPDATE_GOLDEN=1 writes it)",
            golden_path.display()
        )
    });
    let save_actual = || {
        let folder = crate::repo_root().join("target/golden-actual");
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join(format!("{name}.png"));
        std::fs::write(&path, actual).unwrap();
        path
    };
    let (actual_size, actual_pixels) = rgb_pixels(actual);
    let (golden_size, golden_pixels) = rgb_pixels(&golden);
    if actual_size != golden_size {
        panic!(
            "{name}: drew {}×{}, golden is {}×{} (drawn picture: {})",
            actual_size.0,
            actual_size.1,
            golden_size.0,
            golden_size.1,
            save_actual().display()
        );
    }
    let beyond_tolerance = actual_pixels
        .chunks_exact(3)
        .zip(golden_pixels.chunks_exact(3))
        .filter(|(a, g)| a.iter().zip(*g).any(|(a, g)| a.abs_diff(*g) > 2))
        .count();
    let allowed = actual_pixels.len() / 3 / 200;
    assert!(
        beyond_tolerance <= allowed,
        "{name}: {beyond_tolerance} pixels differ by more than 2 (at most {allowed} may); drawn picture: {}",
        save_actual().display()
    );
}

/// The size and the RGB samples of a PNG (alpha dropped).
fn rgb_pixels(png_bytes: &[u8]) -> ((u32, u32), Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a PNG of sane size")];
    let frame = reader.next_frame(&mut buffer).expect("the PNG decodes");
    let samples = &buffer[..frame.buffer_size()];
    let rgb = match frame.color_type {
        png::ColorType::Rgb => samples.to_vec(),
        png::ColorType::Rgba => samples
            .chunks_exact(4)
            .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
            .collect(),
        png::ColorType::Grayscale => samples.iter().flat_map(|&v| [v, v, v]).collect(),
        png::ColorType::GrayscaleAlpha => samples
            .chunks_exact(2)
            .flat_map(|pixel| [pixel[0], pixel[0], pixel[0]])
            .collect(),
        png::ColorType::Indexed => unreachable!("normalize_to_color8 expands palettes"),
    };
    ((frame.width, frame.height), rgb)
}
