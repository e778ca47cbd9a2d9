//! Loads the shared corpus chains that the benchmarks classify.

use std::path::PathBuf;

/// Returns the header blocks of `corpus/chains/*.txt`, found through `HOPAUDIT_SHARED`, else
/// `../shared` beside the repository, else `/work/shared`.
pub fn chains() -> Vec<Vec<u8>> {
    let dir = [
        std::env::var_os("HOPAUDIT_SHARED").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")),
        Some(PathBuf::from("/work/shared")),
    ]
    .into_iter()
    .flatten()
    .map(|d| d.join("corpus/chains"))
    .find(|d| d.is_dir())
    .expect("corpus/chains not found; set HOPAUDIT_SHARED to the folder that holds corpus/");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("read corpus/chains")
        .map(|e| e.expect("chain entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read(p).expect("read chain"))
        .collect()
}
