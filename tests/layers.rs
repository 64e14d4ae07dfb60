//! The layering ARCHITECTURE.md states, held to the code: every reference one module makes to
//! another (`crate::x`, `$crate::x`, a macro of another module) points to a module of a lower
//! layer of its table, or of the same layer without a cycle. The table is read from
//! ARCHITECTURE.md itself, so that the document and the code cannot drift apart silently.
//!
//! A module here is a file or folder directly under `src/` (`db/`, `listing.rs`), except that
//! each resource (`resources/<name>/`) is one of its own and the registry is
//! `resources/mod.rs`. Test code (`#[cfg(test)] mod tests`) is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Violations that remain from before the layering was checked, each to be removed as the
/// renovation (issue #29) removes it. The test fails on any other, and on one of these that no
/// longer exists (so that this list only shrinks).
const KNOWN: &[&str] = &[];

/// The modules and their layers, from the table under "## The layers" of ARCHITECTURE.md: the
/// first row is the highest layer.
fn layers() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md");
    let table = text.split("## The layers").nth(1).expect("a section \"## The layers\"");
    let mut layers = Vec::new();
    for line in
        table.lines().skip_while(|line| !line.starts_with('|')).take_while(|line| line.starts_with('|'))
    {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(layer), Some(modules)) = (cells.get(1), cells.get(2)) else { continue };
        if *layer == "Layer" || layer.starts_with("---") {
            continue;
        }
        let modules = modules
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|module| module.trim_end_matches('/').trim_end_matches(".rs").to_owned())
            .map(|module| if module == "resources/mod" { "resources".to_owned() } else { module })
            .collect();
        layers.push(((*layer).to_owned(), modules));
    }
    assert!(layers.len() >= 5, "the layer table of ARCHITECTURE.md was not found whole: {layers:?}");
    layers
}

/// The module a source file belongs to.
fn module_of(file: &Path) -> String {
    let relative = file.strip_prefix(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).expect("a file of src/");
    let parts: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
    match parts.as_slice() {
        [resources, name, ..] if resources == "resources" && name != "mod.rs" => format!("resources/{name}"),
        [first, ..] => first.trim_end_matches(".rs").to_owned(),
        [] => String::new(),
    }
}

fn sources(folder: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("a folder of src/").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

/// The source without its test module.
fn without_tests(text: &str) -> &str {
    text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text)
}

/// Every reference from one module to another: `(from, to)` with a line that shows it.
fn references() -> BTreeMap<(String, String), String> {
    let mut files = Vec::new();
    sources(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")), &mut files);
    let texts: Vec<(String, String, PathBuf)> = files
        .iter()
        .map(|file| (module_of(file), std::fs::read_to_string(file).expect("a source file"), file.clone()))
        .collect();
    let modules: BTreeSet<String> = texts.iter().map(|(module, ..)| module.clone()).collect();
    // Exported macros, which `crate::name!` and `$crate::name!` reach at the crate's root.
    let exported = regex::Regex::new(r"#\[macro_export\]\s*macro_rules!\s*([a-z_]+)").expect("a pattern");
    let mut macros = BTreeMap::new();
    for (module, text, _) in &texts {
        for found in exported.captures_iter(without_tests(text)) {
            macros.insert(found[1].to_owned(), module.clone());
        }
    }
    let path = regex::Regex::new(r"\$?crate::([a-z_]+)(?:::([a-z_]+))?").expect("a pattern");
    let mut references = BTreeMap::new();
    for (from, text, file) in &texts {
        for (number, line) in without_tests(text).lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for found in path.captures_iter(line) {
                let first = &found[1];
                let to = match (first, found.get(2).map(|m| m.as_str())) {
                    ("resources", Some(name)) if modules.contains(&format!("resources/{name}")) => {
                        format!("resources/{name}")
                    }
                    (name, _) if modules.contains(name) => name.to_owned(),
                    (name, _) => match macros.get(name) {
                        Some(module) => module.clone(),
                        None => continue,
                    },
                };
                if &to != from {
                    let shown = format!("{}:{}: {}", file.display(), number + 1, line.trim());
                    references.entry((from.clone(), to)).or_insert(shown);
                }
            }
        }
    }
    references
}

/// The strongly connected groups of more than one module (Tarjan's algorithm).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'e> {
        edges: &'e BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        found: Vec<Vec<String>>,
    }
    impl Walk<'_> {
        fn visit(&mut self, node: &str) {
            let order = self.index.len();
            self.index.insert(node.to_owned(), order);
            self.low.insert(node.to_owned(), order);
            self.stack.push(node.to_owned());
            for next in self.edges.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node.to_owned(), low);
                } else if self.stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node.to_owned(), low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut group = Vec::new();
                while let Some(member) = self.stack.pop() {
                    let done = member == node;
                    group.push(member);
                    if done {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.found.push(group);
                }
            }
        }
    }
    let mut walk =
        Walk { edges, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    let nodes: BTreeSet<&String> = edges.keys().chain(edges.values().flatten()).collect();
    for node in nodes {
        if !walk.index.contains_key(node.as_str()) {
            walk.visit(node);
        }
    }
    walk.found
}

#[test]
fn every_module_depends_only_on_lower_layers_and_no_modules_depend_on_each_other() {
    let layers = layers();
    let rank = |module: &str| {
        layers.iter().position(|(_, modules)| {
            modules.iter().any(|listed| {
                listed == module || (listed == "resources/<name>" && module.starts_with("resources/"))
            })
        })
    };
    let references = references();
    let mut violations: BTreeMap<String, String> = BTreeMap::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for ((from, to), shown) in &references {
        edges.entry(from.clone()).or_default().insert(to.clone());
        match (rank(from), rank(to)) {
            (None, _) => {
                violations.insert(format!("{from}: in no layer of ARCHITECTURE.md"), shown.clone());
            }
            (_, None) => {
                violations.insert(format!("{to}: in no layer of ARCHITECTURE.md"), shown.clone());
            }
            // The first row is the highest layer: a lower layer has a larger index.
            (Some(source), Some(target)) if target < source => {
                violations.insert(
                    format!("{from} -> {to}: up, from {} to {}", layers[source].0, layers[target].0),
                    shown.clone(),
                );
            }
            _ => {}
        }
    }
    for group in cycles(&edges) {
        let shown: Vec<String> = references
            .iter()
            .filter(|((from, to), _)| group.contains(from) && group.contains(to))
            .map(|(_, shown)| shown.clone())
            .collect();
        violations.insert(format!("cycle: {}", group.join(", ")), shown.join("\n    "));
    }
    let new: Vec<String> = violations
        .iter()
        .filter(|(violation, _)| !KNOWN.contains(&violation.as_str()))
        .map(|(violation, shown)| format!("{violation}\n    {shown}"))
        .collect();
    let gone: Vec<&&str> = KNOWN.iter().filter(|known| !violations.contains_key(**known)).collect();
    assert!(new.is_empty(), "{} new violations of the layering:\n{}", new.len(), new.join("\n"));
    assert!(gone.is_empty(), "no longer violations (remove them from KNOWN): {gone:?}");
}
