//! [`LabelMap`]: one 8-bit label per pixel, painted from masks and saved as PNG.

use std::io::Write;
use std::path::Path;

use super::{MaskError, RunLengthMask};
use cocoprep_base::output::AtomicFile;

/// What to do when a mask covers pixels that already have a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OverlapPolicy {
    /// The later mask wins: plain painting in file order (cocostuffapi's
    /// `cocoSegmentationToSegmentationMap` with `checkUniquePixelLabel=False`).
    #[default]
    Last,
    /// The earlier mask wins: only unlabelled pixels are painted.
    First,
    /// Overlap is an error, as cocostuffapi's default `checkUniquePixelLabel=True` makes it
    /// ("Some pixels have more than one label").
    Error,
}

/// A mask covered pixels that were already labelled, under [`OverlapPolicy::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{pixels} pixels already have a label (the first has label {existing})")]
pub struct OverlapError {
    /// How many pixels of the mask were labelled already.
    pub pixels: u64,
    /// The label found on the first of them.
    pub existing: u8,
}

/// How a label map PNG stores its colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PngColors {
    /// 8-bit grayscale (PIL mode `L`), what panopticapi writes.
    Gray,
    /// 8-bit indexed with COCO-Stuff's palette (PIL mode `P`), what cocostuffapi writes.
    CocoStuffPalette,
}

/// A `height × width` map of 8-bit labels, row-major (`labels[y * width + x]`), 0 meaning
/// unlabelled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelMap {
    height: u32,
    width: u32,
    labels: Vec<u8>,
}

impl LabelMap {
    /// An unlabelled map.
    pub fn new(height: u32, width: u32) -> Self {
        Self {
            height,
            width,
            labels: vec![0; height as usize * width as usize],
        }
    }

    /// Map height.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Map width.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// The labels, row-major.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The labels, row-major, for writing.
    pub fn labels_mut(&mut self) -> &mut [u8] {
        &mut self.labels
    }

    /// Paints `label` on the mask's foreground pixels following `policy`. The mask must
    /// have the map's size.
    pub fn paint(
        &mut self,
        mask: &RunLengthMask,
        label: u8,
        policy: OverlapPolicy,
    ) -> Result<(), PaintError> {
        if mask.size() != (self.height, self.width) {
            return Err(PaintError::Size(MaskError::SizeMismatch {
                first: (self.height, self.width),
                other: mask.size(),
            }));
        }
        let labels = &mut self.labels;
        match policy {
            OverlapPolicy::Last => mask.for_each_foreground_pixel_row_major(|index| {
                labels[index] = label;
            }),
            OverlapPolicy::First => mask.for_each_foreground_pixel_row_major(|index| {
                if labels[index] == 0 {
                    labels[index] = label;
                }
            }),
            OverlapPolicy::Error => {
                let (mut pixels, mut existing) = (0u64, 0u8);
                mask.for_each_foreground_pixel_row_major(|index| {
                    if labels[index] != 0 {
                        if pixels == 0 {
                            existing = labels[index];
                        }
                        pixels += 1;
                    }
                });
                if pixels > 0 {
                    return Err(PaintError::Overlap(OverlapError { pixels, existing }));
                }
                mask.for_each_foreground_pixel_row_major(|index| labels[index] = label);
            }
        }
        Ok(())
    }

    /// Writes the map as an 8-bit PNG under a temporary name, then renames it, so an
    /// interrupted run never leaves a truncated PNG under the final name.
    ///
    /// There is no fsync per file: a PNG is cheap to make again, and an fsync for each of
    /// train2017's 118k images would take longer than rendering them (on the benchmark
    /// machine, 1,000 fsyncs took 1-4 s, rendering and encoding 0.25 s).
    pub fn write_png(&self, path: &Path, colors: PngColors) -> std::io::Result<()> {
        let mut file = AtomicFile::create(path)?;
        self.encode_png(&mut file, colors)?;
        file.commit_without_sync()
    }

    /// Encodes the map as an 8-bit PNG into `out`.
    pub fn encode_png(&self, out: &mut dyn Write, colors: PngColors) -> std::io::Result<()> {
        let mut encoder = png::Encoder::new(out, self.width, self.height);
        encoder.set_depth(png::BitDepth::Eight);
        match colors {
            PngColors::Gray => encoder.set_color(png::ColorType::Grayscale),
            PngColors::CocoStuffPalette => {
                encoder.set_color(png::ColorType::Indexed);
                encoder.set_palette(cocostuff_palette().to_vec());
            }
        }
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        writer
            .write_image_data(&self.labels)
            .map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)
    }

    /// Reads an 8-bit grayscale or indexed PNG back into a map (indices, not colours).
    pub fn read_png(path: &Path) -> std::io::Result<Self> {
        let file = fs_err::File::open(path)?;
        let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
        decoder.set_transformations(png::Transformations::IDENTITY);
        let mut reader = decoder.read_info().map_err(std::io::Error::other)?;
        let info = reader.info();
        let (width, height) = (info.width, info.height);
        if info.bit_depth != png::BitDepth::Eight
            || !matches!(
                info.color_type,
                png::ColorType::Grayscale | png::ColorType::Indexed
            )
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "`{}` is not an 8-bit grayscale or indexed PNG ({:?}, {:?})",
                    path.display(),
                    info.color_type,
                    info.bit_depth
                ),
            ));
        }
        let mut labels = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let frame = reader
            .next_frame(&mut labels)
            .map_err(std::io::Error::other)?;
        labels.truncate(frame.buffer_size());
        Ok(Self {
            height,
            width,
            labels,
        })
    }
}

/// Why a mask could not be painted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PaintError {
    /// The mask has another size than the map.
    #[error(transparent)]
    Size(MaskError),
    /// The mask overlaps labelled pixels under [`OverlapPolicy::Error`].
    #[error(transparent)]
    Overlap(OverlapError),
}

/// The 256-entry RGB palette cocostuffapi's `getCMap()` puts in its PNGs: black for 0
/// (unlabelled) and the 91 thing ids, a permuted, darkened `jet` ramp for the 91 stuff
/// classes 92..=182, gold for 183 (`other`), black after.
///
/// `getCMap` builds the ramp with matplotlib and reorders it with NumPy's Mersenne Twister
/// seeded with 42; rather than re-implement both, the colours below were read from the
/// PLTE chunk of cocostuffapi's own output (`shared/golden/cocostuff-png`), and the golden
/// test checks the palette too.
pub fn cocostuff_palette() -> [u8; 768] {
    let mut palette = [0u8; 768];
    for (offset, color) in STUFF_COLORS.iter().enumerate() {
        let index = (92 + offset) * 3;
        palette[index..index + 3].copy_from_slice(color);
    }
    palette
}

/// Colours of labels 92..=183.
const STUFF_COLORS: [[u8; 3]; 92] = [
    [54, 178, 118],
    [0, 85, 178],
    [150, 178, 22],
    [107, 0, 0],
    [0, 0, 89],
    [0, 117, 178],
    [47, 178, 124],
    [178, 116, 0],
    [0, 0, 178],
    [79, 178, 92],
    [134, 0, 0],
    [22, 178, 150],
    [178, 87, 0],
    [178, 146, 0],
    [0, 5, 178],
    [0, 0, 125],
    [0, 53, 178],
    [0, 132, 178],
    [111, 178, 60],
    [178, 131, 0],
    [0, 29, 178],
    [178, 109, 0],
    [178, 35, 0],
    [0, 148, 178],
    [9, 172, 163],
    [0, 0, 178],
    [178, 124, 0],
    [178, 102, 0],
    [0, 156, 175],
    [178, 43, 0],
    [0, 0, 170],
    [178, 94, 0],
    [0, 0, 134],
    [67, 178, 105],
    [99, 178, 73],
    [0, 37, 178],
    [86, 178, 86],
    [15, 178, 156],
    [0, 0, 152],
    [178, 21, 0],
    [0, 124, 178],
    [0, 61, 178],
    [178, 50, 0],
    [0, 109, 178],
    [137, 178, 35],
    [0, 13, 178],
    [0, 101, 178],
    [0, 0, 116],
    [0, 45, 178],
    [41, 178, 131],
    [0, 0, 161],
    [178, 72, 0],
    [0, 0, 143],
    [116, 0, 0],
    [28, 178, 143],
    [170, 6, 0],
    [156, 178, 15],
    [89, 0, 0],
    [143, 178, 28],
    [73, 178, 99],
    [118, 178, 54],
    [92, 178, 79],
    [152, 0, 0],
    [178, 153, 0],
    [98, 0, 0],
    [178, 65, 0],
    [60, 178, 111],
    [169, 175, 3],
    [105, 178, 67],
    [178, 13, 0],
    [163, 178, 9],
    [3, 164, 169],
    [125, 0, 0],
    [175, 168, 0],
    [178, 138, 0],
    [178, 28, 0],
    [35, 178, 137],
    [0, 140, 178],
    [0, 0, 98],
    [131, 178, 41],
    [0, 77, 178],
    [0, 0, 107],
    [0, 93, 178],
    [143, 0, 0],
    [178, 58, 0],
    [161, 0, 0],
    [0, 69, 178],
    [178, 160, 0],
    [178, 80, 0],
    [0, 21, 178],
    [124, 178, 47],
    [255, 214, 0],
];
