//! What every `cocoprep dataset` command does around its preparer: resolve `--root`, then
//! delete the dataset's stale loader caches and point at the tree check.

use cocoprep_datasets::DataRoot;

use super::super::Outcome;
use crate::output;
use crate::settings::GlobalSettings;

/// `--root` resolved, with a note when the user passed `open_source_dataset/` itself.
pub fn resolve_root(root: &std::path::Path, global: &GlobalSettings) -> DataRoot {
    let resolved = DataRoot::resolve(root);
    if resolved.passed_dataset_folder() {
        output::note(
            global,
            format_args!(
                "note: `{}` is the open_source_dataset folder itself; using its parent `{}` as the root (DATA_PATH)",
                root.display(),
                resolved.data_path().display()
            ),
        );
    }
    resolved
}

/// After new annotations: make the links the dataset needs, delete its loader caches (now
/// stale; the loaders never rebuild them) and say so; then point at the tree check.
pub fn finish(root: &DataRoot, dataset: &str, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let links = cocoprep_datasets::tree::make_links(root, &[dataset.to_owned()])?;
    for path in &links {
        output::note(
            global,
            format_args!(
                "linked {} (a path the configs or loaders need)",
                path.display()
            ),
        );
    }
    let deleted = cocoprep_datasets::tree::clean_caches(root, &[dataset.to_owned()])?;
    for path in &deleted {
        output::note(
            global,
            format_args!("deleted stale loader cache {}", path.display()),
        );
    }
    output::note(
        global,
        format_args!(
            "DATA_PATH={}   (check: cocoprep tree {} --dataset {dataset})",
            root.data_path().display(),
            root.data_path().display()
        ),
    );
    Ok(Outcome::Success)
}
