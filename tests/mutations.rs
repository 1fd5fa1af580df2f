//! Mutation tests of every reader, on the stable toolchain and in the normal test run (the
//! cargo-fuzz targets in fuzz/ need a nightly one): each seed input (the project's fixtures,
//! and the real samples of `../shared/data` when it is there) is mutated a bounded number of
//! times by a seeded generator (bytes flipped, cut, doubled, spliced with the characters that
//! formats care about), and each mutant is read in-process: no panic, and every row read is
//! accepted or rejected.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use mttx::ingest::{self, Format, IngestOptions, Input};

/// Mutants per seed input.
const MUTANTS: usize = 24;
/// Seed inputs per reader at most, taken evenly from the sorted list (a few seconds each).
const SEEDS: usize = 20;
/// Seed inputs larger than this are cut to it first (the readers' work stays small).
const MAX_SEED: usize = 64 * 1024;

/// A small seeded generator (xorshift64*): the same mutants on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes that mean something to one of the formats.
const SPECIAL: &[&[u8]] = &[
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"<",
    b">",
    b"</entry>",
    b"<entry>",
    b"\0",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"9999-99-99T99:99:99Z",
    b"-1",
    b"1e308",
    b"null",
    b"&amp;",
    b"&#x0;",
    b"UTC",
    b"PM",
    b"Resolved",
    b";",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(64)).min(b.len());
                b.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(256)).min(b.len());
                let copy = b[at..end].to_vec();
                b.splice(at..at, copy);
            }
            3 => {
                let s = SPECIAL[rng.below(SPECIAL.len())];
                b.splice(at..at, s.iter().copied());
            }
            4 => b.truncate(at),
            _ => {
                let i = rng.below(b.len().max(1));
                if i < b.len() {
                    b[i] = rng.next() as u8;
                }
            }
        }
    }
    b
}

/// The seed inputs: every file of the fixtures' folders and of the shared real data that a
/// reader takes, with its format.
fn seeds() -> Vec<(PathBuf, Format)> {
    let root = crate::common::manifest_dir();
    let mut dirs = vec![root.join("tests/data")];
    let shared = root.join("../shared/data");
    if shared.is_dir() {
        dirs.push(shared);
    } else {
        eprintln!("note: ../shared/data is absent: mutation tests use the fixtures only");
    }
    let mut out = Vec::new();
    let mut stack = dirs;
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if let Some(f) = Format::from_path(&p) {
                out.push((p, f));
            }
        }
    }
    out
}

fn read(
    name: &str,
    format: Format,
    bytes: Vec<u8>,
) -> std::thread::Result<mttx::error::Result<ingest::Ingested>> {
    let input = Input::Bytes {
        name: name.to_string(),
        format,
        bytes: Cow::Owned(bytes),
    };
    std::panic::catch_unwind(|| ingest::read(&[input], &IngestOptions::default()))
}

fn check(path: &Path, format: Format, kinds: &[Format]) -> usize {
    if !kinds.contains(&format) {
        return 0;
    }
    let mut seed = std::fs::read(path).unwrap();
    seed.truncate(MAX_SEED);
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed.len() as u64);
    for k in 0..MUTANTS {
        let mutant = mutate(&mut rng, &seed);
        match read(&name, format, mutant.clone()) {
            Err(_) => {
                let keep = std::env::temp_dir().join(format!("mttx-mutant-{name}-{k}"));
                let _ = std::fs::write(&keep, &mutant);
                panic!(
                    "{name}: mutant {k} made the reader panic (kept in {})",
                    keep.display()
                );
            }
            Ok(Ok(ing)) => {
                let c = ing.counts;
                assert_eq!(c.read, c.accepted + c.rejected, "{name}: mutant {k}");
            }
            Ok(Err(_)) => {} // refused with a message: fine
        }
    }
    MUTANTS
}

fn run(kinds: &[Format]) {
    let mine: Vec<(PathBuf, Format)> = seeds()
        .into_iter()
        .filter(|(_, f)| kinds.contains(f))
        .collect();
    let step = mine.len().div_ceil(SEEDS).max(1);
    let mut n = 0;
    for (path, format) in mine.iter().step_by(step) {
        n += check(path, *format, kinds);
    }
    assert!(n > 0, "no seed input for {kinds:?}");
}

#[test]
fn csv_mutants_never_panic() {
    run(&[Format::Csv]);
}

#[test]
fn json_and_ndjson_mutants_never_panic() {
    // Canonical JSON and NDJSON, Statuspage's API, status feeds and every other platform's
    // document: all read as `.json`/`.ndjson`.
    run(&[Format::Json, Format::Ndjson]);
}

#[test]
fn report_page_and_home_page_mutants_never_panic() {
    run(&[Format::Page]);
}

#[test]
fn atom_mutants_never_panic() {
    run(&[Format::Atom]);
}

#[test]
fn parquet_mutants_never_panic() {
    // A Parquet file of mttx's own making (the fixtures hold none), then its mutants.
    let csv = mttx::generate::generate_csv(&mttx::generate::GenOptions {
        incidents: 60,
        ..Default::default()
    });
    let seed = ingest::parquet_of_canonical_csv(&csv).unwrap();
    let mut rng = Rng(0x5eed_9a7e);
    for k in 0..MUTANTS * 8 {
        // Half keep the length (bytes changed in place: the footer still points at the pages,
        // so the page decoders read what was changed), half change the structure.
        let mutant = if k % 2 == 0 {
            let mut m = seed.clone();
            for _ in 0..1 + rng.below(3) {
                let i = rng.below(m.len());
                m[i] = rng.next() as u8;
            }
            m
        } else {
            mutate(&mut rng, &seed)
        };
        match read("generated.parquet", Format::Parquet, mutant) {
            Err(_) => panic!("generated.parquet: mutant {k} made the reader panic"),
            Ok(Ok(ing)) => {
                let c = ing.counts;
                assert_eq!(c.read, c.accepted + c.rejected, "mutant {k}");
            }
            Ok(Err(_)) => {}
        }
    }
}
