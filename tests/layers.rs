//! The source's shape: the modules form layers that point one way (a lower layer never names a
//! higher one), and no file names a file that names it back. Read from `src/` as text: every
//! `crate::a::b` and `super::a` path outside comments and test modules is an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first; a module may name modules of its own layer or below.
const LAYERS: &[&[&str]] = &[
    &["time"],
    &[
        "model", "table", "maps", "markup", "error", "hours", "laps", "memory", "parallel",
        "period", "http",
    ],
    &["ingest", "store", "output", "generate", "sources"],
    &["metrics", "sync"],
    &["config"],
    &["report"],
    &["chart"],
    &["commands"],
    &["cli"],
];

/// Each file of `src/` as a module path (`metrics::sweep`; `mod.rs` is its folder), with its
/// code: comments and `#[cfg(test)] mod tests` left out, `tests.rs` files skipped.
fn modules(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            modules(&path, &format!("{prefix}{name}::"), out);
            continue;
        }
        if path.extension().is_none_or(|x| x != "rs") || name == "tests" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
        let code: String = code
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let module = match (prefix, name.as_str()) {
            ("", "lib" | "main") => "crate".to_string(),
            (p, "mod") => p.trim_end_matches("::").to_string(),
            (p, n) => format!("{p}{n}"),
        };
        out.insert(module, code);
    }
}

/// The modules `code` (of module `me`) names, resolved to the longest known module path.
fn imports(me: &str, code: &str, known: &BTreeMap<String, String>) -> BTreeSet<String> {
    // `super` of `a::b` is `a`, whether `b` is a file or a folder's `mod.rs`.
    let parent = me.rsplit_once("::").map_or("", |p| p.0);
    let mut out = BTreeSet::new();
    for (anchor, base) in [("crate::", ""), ("super::", parent)] {
        for (i, _) in code.match_indices(anchor) {
            let rest = &code[i + anchor.len()..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let full = if base.is_empty() {
                path
            } else {
                format!("{base}::{path}")
            };
            let parts: Vec<&str> = full.split("::").filter(|s| !s.is_empty()).collect();
            let found = (1..=parts.len())
                .rev()
                .map(|k| parts[..k].join("::"))
                .find(|m| known.contains_key(m))
                .or_else(|| {
                    (!base.is_empty() && known.contains_key(base)).then(|| base.to_string())
                });
            if let Some(m) = found.filter(|m| m != me) {
                out.insert(m);
            }
        }
    }
    // A folder module names its children by their own names (`use sweep::Span;`).
    for line in code.lines() {
        let line = line.trim_start().trim_start_matches("pub ");
        if let Some(rest) = line.strip_prefix("use ") {
            let rest = rest.trim_start_matches("self::");
            let child = rest.split("::").next().unwrap_or("");
            let m = format!("{me}::{child}");
            if rest.contains("::") && known.contains_key(&m) {
                out.insert(m);
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut known = BTreeMap::new();
    modules(&src, "", &mut known);
    known
        .iter()
        .map(|(m, code)| (m.clone(), imports(m, code, &known)))
        .collect()
}

fn layer(module: &str) -> Option<usize> {
    let top = module.split("::").next()?;
    LAYERS.iter().position(|l| l.contains(&top))
}

#[test]
fn lower_layers_never_name_higher_ones() {
    let mut wrong = Vec::new();
    for (from, to) in graph() {
        if from == "crate" {
            continue;
        }
        let Some(a) = layer(&from) else {
            panic!("module {from} is in no layer of tests/layers.rs")
        };
        for t in to {
            if layer(&t).is_some_and(|b| b > a) {
                wrong.push(format!("{from} -> {t}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports pointing up: {wrong:?}");
}

#[test]
fn no_file_names_a_file_that_names_it_back() {
    let g = graph();
    // Depth-first search for a path back to the start, from every file.
    for start in g.keys() {
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for next in &g[&at] {
                if next == start {
                    panic!("import cycle: {} -> {start}", path.join(" -> "));
                }
                if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
}

#[test]
fn polars_stays_inside_ingest() {
    // Ingest reads files into polars frames and hands typed tables on (`src/table.rs`); no other
    // module names polars but `error`, which carries polars' errors out of ingest.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut known = BTreeMap::new();
    modules(&src, "", &mut known);
    let outside: Vec<&String> = known
        .iter()
        .filter(|(m, code)| !m.starts_with("ingest") && *m != "error" && code.contains("polars"))
        .map(|(m, _)| m)
        .collect();
    assert!(
        outside.is_empty(),
        "polars named outside ingest: {outside:?}"
    );
}
