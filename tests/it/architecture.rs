//! The shape of `src/`, kept by a test so it survives the next change: no
//! import cycle between the crate's top-level modules nor between the
//! files of `aws/`, no mode touching I/O or the command line, and no file
//! whose non-test code is over 800 lines. Only non-test code counts
//! (everything before a file's `#[cfg(test)]` module).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 800;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, as a path relative to `src/`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.strip_prefix(src()).unwrap().to_path_buf());
        }
    }
    out.sort();
    out
}

/// A file's code without its tests: a `tests.rs` file, or one marked
/// `#![cfg(test)]`, is all tests; otherwise everything from the first
/// `#[cfg(test)]` line on is cut.
fn code(rel: &Path) -> String {
    let text = std::fs::read_to_string(src().join(rel)).unwrap();
    if rel.file_name().is_some_and(|n| n == "tests.rs")
        || text.lines().any(|l| l.trim() == "#![cfg(test)]")
    {
        return String::new();
    }
    let mut out = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        // Comments name other modules without depending on them.
        if !line.trim_start().starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `crate::a::b…` paths a piece of code names, as their segments, with
/// the grouped forms (`crate::{a, b::c}`, `crate::a::{b, c}`) expanded.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        // `check_cloudtrail::crate::` never occurs; `$crate::` is a macro.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        expand(rest, Vec::new(), &mut out);
    }
    out
}

/// Reads one path (or group) at the start of `text` after `prefix`.
fn expand(text: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let ident: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if ident.is_empty() {
        if let Some(group) = text.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        expand(group[start..i].trim(), prefix.clone(), out);
                        return;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(group[start..i].trim(), prefix.clone(), out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        }
        if !prefix.is_empty() {
            out.push(prefix);
        }
        return;
    }
    let mut path = prefix;
    path.push(ident.clone());
    let after = &text[ident.len()..];
    match after.strip_prefix("::") {
        Some(more) => expand(more, path, out),
        None => out.push(path),
    }
}

/// The top-level module a file belongs to (`aws/http.rs` → `aws`,
/// `lib.rs` → none).
fn top(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
    (name != "lib" && name != "main").then_some(name)
}

/// Fails with the cycle when the graph has one.
fn assert_acyclic(what: &str, graph: &BTreeMap<String, BTreeSet<String>>) {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut Vec::new(), &mut done) {
            panic!("{what}: import cycle {}", cycle.join(" → "));
        }
    }
}

#[test]
fn no_cycle_between_top_level_modules() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rel in files(&src()) {
        let Some(from) = top(&rel) else { continue };
        // The fuzz entry points reach into every module on purpose.
        if from == "fuzz" {
            continue;
        }
        for path in crate_paths(&code(&rel)) {
            let to = &path[0];
            if *to != from {
                graph.entry(from.clone()).or_default().insert(to.clone());
            }
        }
    }
    assert!(graph.contains_key("run"), "{graph:?}");
    assert_acyclic("src/", &graph);
}

/// `aws/x.rs` and `aws/x/…` are the room `x`; within `aws/credentials/`
/// each file is its own.
fn aws_room(rel: &Path) -> Option<String> {
    let parts: Vec<&str> = rel.iter().map(|p| p.to_str().unwrap()).collect();
    match parts.as_slice() {
        ["aws", "mod.rs"] => Some("mod".into()),
        ["aws", file] => Some(file.trim_end_matches(".rs").into()),
        ["aws", dir, "mod.rs"] => Some((*dir).into()),
        ["aws", dir, file] => Some(format!("{dir}/{}", file.trim_end_matches(".rs"))),
        _ => None,
    }
}

#[test]
fn no_cycle_between_the_files_of_aws() {
    let rooms: Vec<(PathBuf, String)> = files(&src())
        .into_iter()
        .filter_map(|rel| aws_room(&rel).map(|r| (rel, r)))
        .collect();
    let names: BTreeSet<String> = rooms.iter().map(|(_, r)| r.clone()).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, room) in &rooms {
        let code = code(rel);
        // `super::x` and `crate::aws::x` both name a sibling.
        let mut named: Vec<Vec<String>> = crate_paths(&code)
            .into_iter()
            .filter(|p| p.first().is_some_and(|s| s == "aws"))
            .map(|p| p[1..].to_vec())
            .collect();
        let dir = room.split_once('/').map(|(d, _)| d.to_owned());
        let mut rest = code.as_str();
        while let Some(i) = rest.find("super::") {
            rest = &rest[i + "super::".len()..];
            let mut prefix = Vec::new();
            let mut tail = rest;
            if let Some(d) = &dir {
                // In `aws/dir/file.rs`, `super::` is `aws/dir` and
                // `super::super::` is `aws`.
                match rest.strip_prefix("super::") {
                    Some(t) => tail = t,
                    None => prefix.push(d.clone()),
                }
            }
            expand(tail, prefix, &mut named);
        }
        for path in named {
            let target = match path.as_slice() {
                [d, f, ..] if names.contains(&format!("{d}/{f}")) => format!("{d}/{f}"),
                [first, ..] if names.contains(first) => first.clone(),
                _ => continue,
            };
            if target != *room && !room.starts_with(&format!("{target}/")) {
                graph.entry(room.clone()).or_default().insert(target);
            }
        }
    }
    assert!(!graph.is_empty());
    assert_acyclic("src/aws/", &graph);
}

#[test]
fn modes_do_no_io_and_never_see_the_command_line() {
    const FORBIDDEN: [&str; 10] = [
        "crate::cli",
        "crate::run",
        "crate::aws::http",
        "crate::aws::backend",
        "crate::aws::awscli",
        "crate::process",
        "crate::statefile",
        "crate::env",
        "std::fs",
        "std::net",
    ];
    let modes = files(&src().join("modes"));
    assert!(modes.len() >= 6, "{modes:?}");
    for rel in modes {
        let code = code(&rel);
        for f in FORBIDDEN {
            assert!(!code.contains(f), "{} uses {f}", rel.display());
        }
        for path in crate_paths(&code) {
            let joined = format!("crate::{}", path.join("::"));
            for f in FORBIDDEN.iter().filter(|f| f.starts_with("crate::")) {
                assert!(!joined.starts_with(f), "{} uses {joined}", rel.display());
            }
        }
        assert!(!code.contains("std::process"), "{}", rel.display());
    }
}

#[test]
fn no_file_over_800_lines_of_code() {
    let over: Vec<String> = files(&src())
        .into_iter()
        .map(|rel| (code(&rel).lines().count(), rel))
        .filter(|(n, _)| *n > MAX_LINES)
        .map(|(n, rel)| format!("{}: {n}", rel.display()))
        .collect();
    assert!(over.is_empty(), "over {MAX_LINES} lines of code: {over:?}");
}

#[test]
fn the_path_reader_sees_grouped_imports() {
    let paths = crate_paths("use crate::{a::b, c::{d, e::f}};\nlet x = crate::g::h(1);");
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(joined, ["a::b", "c::d", "c::e::f", "g::h"]);
}
