//! Extraction of real zip and tar.gz archives: contents and CRCs, traversal and link
//! protection, partial extraction, resumed extraction.

use std::io::Write;
use std::path::Path;

use cocoprep_base::progress::NoReporter;
use cocoprep_fetch::FetchError;
use cocoprep_fetch::catalog::ArchiveKind;
use cocoprep_fetch::extract::{ExtractOptions, extract};
use cocoprep_test::{fixtures, temp_dir};

fn sample_images() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for split in ["train2017", "val2017"] {
        let folder = fixtures().join("coco-sample").join(split);
        let mut names: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        names.sort();
        for path in names {
            let name = format!("{split}/{}", path.file_name().unwrap().to_string_lossy());
            files.push((name, std::fs::read(&path).unwrap()));
        }
    }
    files
}

fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
}

#[test]
fn zip_of_real_jpegs_extracts_with_matching_crcs() {
    let folder = temp_dir();
    let archive = folder.path().join("images.zip");
    let files = sample_images();
    write_zip(&archive, &files);
    let destination = folder.path().join("out");
    let options = ExtractOptions {
        jobs: 2,
        ..ExtractOptions::default()
    };
    let result = extract(
        &archive,
        ArchiveKind::Zip,
        &destination,
        &options,
        &NoReporter,
    )
    .unwrap();
    assert_eq!(result.files.len(), files.len());
    for (name, bytes) in &files {
        assert_eq!(
            &std::fs::read(destination.join(name)).unwrap(),
            bytes,
            "{name}"
        );
        let recorded = result.files.iter().find(|f| &f.path == name).unwrap();
        assert_eq!(recorded.crc32, crc32fast::hash(bytes));
    }
    // A second run writes nothing.
    let again = extract(
        &archive,
        ArchiveKind::Zip,
        &destination,
        &options,
        &NoReporter,
    )
    .unwrap();
    assert_eq!(again.skipped_existing, files.len());
}

#[test]
fn only_extracts_the_members_that_match() {
    let folder = temp_dir();
    let archive = folder.path().join("images.zip");
    write_zip(&archive, &sample_images());
    let destination = folder.path().join("out");
    let options = ExtractOptions {
        only: vec!["val2017/*".into()],
        ..ExtractOptions::default()
    };
    let result = extract(
        &archive,
        ArchiveKind::Zip,
        &destination,
        &options,
        &NoReporter,
    )
    .unwrap();
    assert_eq!(result.files.len(), 6);
    assert!(!destination.join("train2017").exists());
}

#[test]
fn a_member_that_climbs_out_of_the_destination_is_refused() {
    let folder = temp_dir();
    let archive = folder.path().join("evil.zip");
    write_zip(&archive, &[("../evil.txt".to_owned(), b"x".to_vec())]);
    let error = extract(
        &archive,
        ArchiveKind::Zip,
        &folder.path().join("out"),
        &ExtractOptions::default(),
        &NoReporter,
    )
    .unwrap_err();
    assert!(matches!(error, FetchError::UnsafeMember { .. }), "{error}");
    assert!(!folder.path().join("evil.txt").exists());
}

#[test]
fn symlink_members_and_symlinked_folders_are_refused() {
    let folder = temp_dir();
    let archive = folder.path().join("link.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    writer
        .add_symlink("escape", "/etc", zip::write::SimpleFileOptions::default())
        .unwrap();
    writer.finish().unwrap();
    let error = extract(
        &archive,
        ArchiveKind::Zip,
        &folder.path().join("out"),
        &ExtractOptions::default(),
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("symbolic links"), "{error}");

    // A folder in the destination that is a link to elsewhere is not written through.
    let outside = temp_dir();
    let destination = folder.path().join("dest");
    std::fs::create_dir(&destination).unwrap();
    std::os::unix::fs::symlink(outside.path(), destination.join("val2017")).unwrap();
    let archive = folder.path().join("images.zip");
    write_zip(&archive, &sample_images());
    let error = extract(
        &archive,
        ArchiveKind::Zip,
        &destination,
        &ExtractOptions::default(),
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("symbolic link"), "{error}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

#[test]
fn a_corrupt_zip_member_fails_its_crc_and_is_not_left_behind() {
    let folder = temp_dir();
    let archive = folder.path().join("images.zip");
    let files = sample_images();
    // Stored (not deflated) so that flipping a byte changes the content, not the stream.
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer.start_file(files[0].0.as_str(), options).unwrap();
    writer.write_all(&files[0].1).unwrap();
    writer.finish().unwrap();
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes[2000] ^= 0xff;
    std::fs::write(&archive, bytes).unwrap();
    let destination = folder.path().join("out");
    let error = extract(
        &archive,
        ArchiveKind::Zip,
        &destination,
        &ExtractOptions::default(),
        &NoReporter,
    )
    .unwrap_err();
    assert!(matches!(error, FetchError::CorruptMember { .. }), "{error}");
    assert!(!destination.join(&files[0].0).exists());
}

fn write_tar_gz(path: &Path, files: &[(String, Vec<u8>)]) {
    let encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::default(),
    );
    let mut builder = tar::Builder::new(encoder);
    for (name, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, bytes.as_slice())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap();
}

#[test]
fn tar_gz_extracts_and_a_damaged_stream_is_detected() {
    let folder = temp_dir();
    let archive = folder.path().join("labels.tar.gz");
    let files = sample_images();
    write_tar_gz(&archive, &files);
    let destination = folder.path().join("out");
    let result = extract(
        &archive,
        ArchiveKind::TarGz,
        &destination,
        &ExtractOptions::default(),
        &NoReporter,
    )
    .unwrap();
    assert_eq!(result.files.len(), files.len());
    assert_eq!(
        std::fs::read(destination.join(&files[3].0)).unwrap(),
        files[3].1
    );

    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    let damaged = folder.path().join("damaged.tar.gz");
    std::fs::write(&damaged, bytes).unwrap();
    let error = extract(
        &damaged,
        ArchiveKind::TarGz,
        &folder.path().join("out2"),
        &ExtractOptions::default(),
        &NoReporter,
    );
    assert!(
        error.is_err(),
        "a flipped byte in the gzip stream must be detected"
    );
}

#[test]
fn tar_links_are_refused() {
    let folder = temp_dir();
    let archive = folder.path().join("link.tar");
    let mut builder = tar::Builder::new(std::fs::File::create(&archive).unwrap());
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    builder.append_link(&mut header, "escape", "/etc").unwrap();
    builder.finish().unwrap();
    let error = extract(
        &archive,
        ArchiveKind::Tar,
        &folder.path().join("out"),
        &ExtractOptions::default(),
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("links are not extracted"), "{error}");
}
