//! The core's layers, checked: a top-level module uses only modules of lower layers (a tidy test
//! that reads `src/**/*.rs`, after rust-analyzer's), so its modules form no cycle.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The core's top-level modules, bottom-up (ARCHITECTURE.md, "Layers"). A module may use the
/// modules of the layers below its own; the modules of one layer do not use each other.
const LAYERS: &[&[&str]] = &[
    // Every failure with its code and sentence; ids.
    &["error", "ids"],
    &["validate"],
    // The domain, with an appointment's synced `Content` and zone names.
    &["model"],
    &["store", "paths", "locks"],
    // The tray process and the window processes of one data folder (over `locks/`).
    &["presence"],
    // Sign-in, tokens, the keyring, the request budget per mailbox; endpoint settings.
    &["identity"],
    // The two clients that leave the machine: Microsoft Graph and SMTP.
    &["graph", "mail"],
    &["sync"],
    &["jobs"],
    // The boundary both front ends call.
    &["api"],
    // Seeding the demo, feeding the fuzz targets.
    &["demo", "fuzzing"],
];

/// This file: a test of the others, in no layer.
const SELF: &str = "layers";

#[test]
fn top_level_modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layer = layer_of_each_module();
    let reexports = root_reexports(&fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 50,
        "the walk found the core's sources in {}",
        src.display()
    );

    let mut broken = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let Some(module) = top_module(relative) else {
            continue;
        };
        if module == SELF {
            continue;
        }
        let Some(&own) = layer.get(module.as_str()) else {
            panic!(
                "src/{} belongs to `{module}`, which LAYERS does not list",
                relative.display()
            );
        };
        let text = fs::read_to_string(file).unwrap();
        for (line, used) in crate_references(&text) {
            let used = reexports.get(used.as_str()).cloned().unwrap_or(used);
            if used == module {
                continue;
            }
            let Some(&theirs) = layer.get(used.as_str()) else {
                panic!(
                    "src/{}:{line} uses `crate::{used}`, which LAYERS does not list",
                    relative.display()
                );
            };
            if theirs >= own {
                broken.push(format!(
                    "src/{}:{line}: `{module}` (layer {own}) uses `{used}` (layer {theirs}): {}",
                    relative.display(),
                    text.lines().nth(line - 1).unwrap_or_default().trim(),
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "a module may use only modules of lower layers (LAYERS in src/layers.rs), so that the \
         core has no module cycles; these uses break the rule:\n{}",
        broken.join("\n")
    );
}

#[test]
fn references_are_read_from_paths_groups_and_lines() {
    let text = "//! Uses `crate::api` in a comment only.\n\
                use crate::{\n    graph::GraphError,\n    model::{Account, Job},\n};\n\
                fn f() { crate::sync::crash::point(); } // crate::jobs\n";
    assert_eq!(
        crate_references(text),
        [
            (2, "graph".to_owned()),
            (2, "model".to_owned()),
            (6, "sync".to_owned())
        ],
        "a group names each of its modules, comments name none, and each use keeps its line"
    );
}

fn layer_of_each_module() -> BTreeMap<&'static str, usize> {
    let mut layer = BTreeMap::new();
    for (index, modules) in LAYERS.iter().enumerate() {
        for module in *modules {
            assert!(
                layer.insert(*module, index).is_none(),
                "`{module}` is in LAYERS twice"
            );
        }
    }
    layer
}

/// The names `lib.rs` re-exports at the root (`crate::Store`) and the module each comes from.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for line in lib.lines() {
        let Some(path) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, rest)) = path.split_once("::") else {
            continue;
        };
        let rest = rest
            .trim_end_matches(';')
            .trim_start_matches('{')
            .trim_end_matches('}');
        for name in rest.split(',') {
            let name = name.trim().rsplit("::").next().unwrap_or_default();
            if !name.is_empty() {
                names.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    names
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// `graph` for `graph/client.rs` and `graph.rs`; none for `lib.rs`, which only declares them.
fn top_module(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let module = first.strip_suffix(".rs").unwrap_or(first);
    (module != "lib").then(|| module.to_owned())
}

/// Every `crate::<module>` in code (not in comments), with its line, a group
/// (`crate::{a::X, b}`) giving one per member.
fn crate_references(text: &str) -> Vec<(usize, String)> {
    let code: Vec<&str> = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect();
    let joined = code.join("\n");
    let mut found = Vec::new();
    for (at, _) in joined.match_indices("crate::") {
        if joined[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue; // `my_crate::`, not this crate
        }
        let line = joined[..at].matches('\n').count() + 1;
        let rest = &joined[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut member_start = true;
            for (offset, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => member_start = true,
                    c if member_start && (c.is_alphanumeric() || c == '_') => {
                        member_start = false;
                        found.push((line, identifier(&group[offset..])));
                    }
                    _ => {}
                }
            }
        } else {
            found.push((line, identifier(rest)));
        }
    }
    found.retain(|(_, name)| !name.is_empty() && name != "self");
    found.dedup();
    found
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}
