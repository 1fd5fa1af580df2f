//! Helpers shared by the integration tests: the built binary, fixtures, CSV parsing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `mttx` binary, run from the project root unless told otherwise. `MTTX_TEST_BIN` runs
/// the tests against another build (e.g. the release binary, for the figures in docs/).
pub fn mttx() -> Command {
    let bin =
        std::env::var_os("MTTX_TEST_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_mttx").into());
    let mut c = Command::new(bin);
    c.current_dir(manifest_dir());
    c
}

pub fn run(args: &[&str]) -> Output {
    mttx().args(args).output().expect("mttx runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub const FIXTURE: &str = "tests/data/incidents.csv";

/// Rows of a CSV file as header-keyed maps.
pub fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("csv opens");
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("record");
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

pub fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

pub fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/data").join(name)
}

/// The first row with all the given `(column, value)` pairs.
pub fn row<'a>(
    rows: &'a [std::collections::HashMap<String, String>],
    want: &[(&str, &str)],
) -> &'a std::collections::HashMap<String, String> {
    rows.iter()
        .find(|r| want.iter().all(|(k, v)| r[*k] == *v))
        .unwrap_or_else(|| panic!("no row {want:?}"))
}

/// How many incidents the store at `db` holds (0 while it is missing or being created).
pub fn stored_incidents(db: &Path) -> i64 {
    if !db.is_file() {
        return 0;
    }
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
    let Ok(c) = rusqlite::Connection::open_with_flags(db, flags) else {
        return 0;
    };
    c.query_row("SELECT count(*) FROM incident", [], |r| r.get(0))
        .unwrap_or(0)
}
