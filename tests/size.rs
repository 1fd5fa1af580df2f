//! The source's size: no non-test function passes 80 lines (from its `fn` line to its closing
//! brace) and no file passes 600 non-blank lines of non-test code. Read from `src/` as text,
//! like tests/layers.rs: `tests.rs` files and a file's `#[cfg(test)] mod tests` are left out.

use std::path::{Path, PathBuf};

const MAX_FN_LINES: usize = 80;
const MAX_FILE_LINES: usize = 600;

/// Every `.rs` file under `dir` but `tests.rs`, sorted.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// The file's code before its test module.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let end = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
    text[..end].to_string()
}

/// Whether a trimmed line opens a function: `fn`, after any of `pub(..)`, `const`, `async`,
/// `unsafe`, `extern "C"`.
fn opens_fn(line: &str) -> bool {
    let mut rest = line;
    loop {
        let before = rest;
        for word in [
            "pub(crate) ",
            "pub(super) ",
            "pub ",
            "const ",
            "async ",
            "unsafe ",
        ] {
            rest = rest.strip_prefix(word).unwrap_or(rest);
        }
        if let Some(r) = rest.strip_prefix("extern \"C\" ") {
            rest = r;
        }
        if rest == before {
            return rest.starts_with("fn ");
        }
    }
}

/// Each function of `code` with a body, as (its name, its first line number, its length in
/// lines). rustfmt puts a function's closing brace at the indent of its `fn` line.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if !opens_fn(trimmed) {
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        // A declaration without a body (a trait's) ends in `;` before any `{`.
        let Some(open) = (i..lines.len()).find(|&j| {
            let l = lines[j].trim_end();
            l.ends_with('{') || l.ends_with(';') || l.ends_with('}')
        }) else {
            continue;
        };
        if lines[open].trim_end().ends_with(';') {
            continue;
        }
        if lines[open].trim_end().ends_with('}') && !lines[open].trim_end().ends_with("{}") {
            // One line: `fn f() -> u8 { 1 }`.
            out.push((name(trimmed), i + 1, open - i + 1));
            continue;
        }
        let close = format!("{indent}}}");
        let end = (open..lines.len())
            .find(|&j| lines[j].trim_end() == close)
            .unwrap_or(open);
        out.push((name(trimmed), i + 1, end - i + 1));
    }
    out
}

fn name(line: &str) -> String {
    let after = &line[line.find("fn ").unwrap() + 3..];
    after
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    files(&root.join("src"), &mut paths);
    paths
        .iter()
        .map(|p| {
            let shown = p.strip_prefix(root).unwrap().display().to_string();
            (shown, code(p))
        })
        .collect()
}

#[test]
fn no_function_passes_80_lines() {
    let mut long = Vec::new();
    for (path, code) in sources() {
        for (name, line, len) in functions(&code) {
            if len > MAX_FN_LINES {
                long.push(format!("{path}:{line}: {name} has {len} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "{} functions pass {MAX_FN_LINES} lines:\n{}",
        long.len(),
        long.join("\n")
    );
}

#[test]
fn no_file_passes_600_lines() {
    let mut big = Vec::new();
    for (path, code) in sources() {
        let n = code.lines().filter(|l| !l.trim().is_empty()).count();
        if n > MAX_FILE_LINES {
            big.push(format!("{path}: {n} non-blank lines"));
        }
    }
    assert!(
        big.is_empty(),
        "{} files pass {MAX_FILE_LINES} lines:\n{}",
        big.len(),
        big.join("\n")
    );
}

#[test]
fn the_counter_sees_functions_as_written() {
    let code = "pub fn a() {\n    let x = 1;\n}\n\nimpl T {\n    pub(crate) const fn b(\n        y: u8,\n    ) -> u8 {\n        y\n    }\n    fn c(&self);\n    fn d() -> u8 { 1 }\n}\n";
    let got = functions(code);
    assert_eq!(
        got,
        vec![
            ("a".to_string(), 1, 3),
            ("b".to_string(), 6, 5),
            ("d".to_string(), 12, 1)
        ]
    );
}
