//! An archive member name (one per line of the input; the first line is also used as an
//! `--only` glob over the others) never turns into a path that escapes the destination:
//! every produced path is relative, made of normal components only, with no `..`, no
//! drive or UNC prefix and no NUL byte. Nothing panics.
#![no_main]

use std::path::Component;

use cocoprep_fetch::extract::path::{glob_matches, safe_relative};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Zip and tar names reach the sanitiser through `String::from_utf8_lossy`.
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let pattern = lines.next().unwrap_or_default();
    for name in std::iter::once(pattern).chain(lines) {
        check(name);
        if let Ok(relative) = safe_relative(name) {
            let display = relative.to_string_lossy().replace('\\', "/");
            let _ = glob_matches(pattern, &display);
        }
    }
    // The whole input as one name, newlines included.
    check(&text);
});

fn check(name: &str) {
    let Ok(relative) = safe_relative(name) else {
        return;
    };
    assert!(
        !relative.as_os_str().is_empty(),
        "{name:?} gave an empty path"
    );
    assert!(relative.is_relative(), "{name:?} gave {relative:?}");
    assert!(relative.has_root() == false, "{name:?} gave {relative:?}");
    assert!(
        relative
            .components()
            .all(|component| matches!(component, Component::Normal(_))),
        "{name:?} gave {relative:?}"
    );
    let text = relative.to_str().expect("made from a str");
    assert!(
        !text.contains('\0'),
        "{name:?} gave a path with NUL: {relative:?}"
    );
    assert!(!text.contains('\\'), "{name:?} gave {relative:?}");
    for part in text.split('/') {
        assert!(
            part != ".." && part != "." && !part.is_empty(),
            "{name:?} gave {relative:?}"
        );
    }
    // No drive (`C:`), drive-relative (`C:x`) or UNC (`//server/share`) prefix, which
    // Windows would resolve outside the destination.
    let first = text.split('/').next().unwrap_or_default();
    assert!(
        !(first.len() >= 2 && first.as_bytes()[1] == b':'),
        "{name:?} gave {relative:?}"
    );
}
