//! Short names for the calls between the wasm and its JS glue.
//!
//! Contract: `shorten(wasm, glue)` gives a module and glue that behave exactly as the pair it
//! was given, with every import renamed, and every export that only the glue uses and does use
//! (wasm-bindgen's `__wbindgen_*`, `__externref_*` and closure shims), to names of one to three
//! letters. A name is renamed wherever it stands as a whole identifier in the glue, and a new
//! name is never one the glue already has, so no other identifier changes meaning. Exports a
//! page calls by name (`mountPlayground`, `memory`, the class methods) keep their names. The
//! module written must validate, or the build stops.
//!
//! Why: wasm-bindgen names each import after its Rust path plus a 16-digit hash
//! (`__wbg_setAttribute_cb1f9b7bc8bd7ab6`), and the name is written twice, in the wasm's import
//! section and as a key in the glue. Hashes do not compress. On the page's 172 imports and its
//! glue's exports that was 6.1 kB of gzip: more than anything else a build step could still
//! take off.

use std::collections::{HashMap, HashSet};

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::{Imports, Parser, Payload};

/// The renamed module and glue, or why they could not be renamed (the build then stops: a
/// half-renamed pair would not start).
pub fn shorten(wasm: &[u8], glue: &str) -> Result<(Vec<u8>, String), String> {
    let taken: HashSet<&str> = identifiers(glue).collect();
    let mut fresh = Fresh { next: 0, taken };
    let mut renamed: HashMap<String, String> = HashMap::new();
    let mut module = wasm_encoder::Module::new();
    let bad = |e: wasmparser::BinaryReaderError| format!("the wasm does not parse: {e}");
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(bad)?;
        match payload {
            Payload::ImportSection(reader) => {
                let mut section = wasm_encoder::ImportSection::new();
                for imports in reader {
                    let Imports::Single(_, import) = imports.map_err(bad)? else {
                        return Err(
                            "the wasm uses compact imports, which wasm-bindgen does not \
                                    write: nothing to rename safely"
                                .into(),
                        );
                    };
                    let name = fresh.rename(import.name, &mut renamed);
                    let ty = RoundtripReencoder
                        .entity_type(import.ty)
                        .map_err(|e| format!("an import's type: {e}"))?;
                    section.import(import.module, &name, ty);
                }
                module.section(&section);
            }
            Payload::ExportSection(reader) => {
                let mut section = wasm_encoder::ExportSection::new();
                for export in reader {
                    let export = export.map_err(bad)?;
                    let name = if glue_only(export.name) && fresh.taken.contains(export.name) {
                        fresh.rename(export.name, &mut renamed)
                    } else {
                        export.name.to_owned()
                    };
                    let kind = RoundtripReencoder
                        .export_kind(export.kind)
                        .map_err(|e| format!("an export's kind: {e}"))?;
                    section.export(&name, kind, export.index);
                }
                module.section(&section);
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    module.section(&wasm_encoder::RawSection {
                        id,
                        data: &wasm[range],
                    });
                }
            }
        }
    }
    let glue = rename_identifiers(glue, &renamed)?;
    let wasm = module.finish();
    wasmparser::validate(&wasm).map_err(|e| format!("the renamed wasm does not validate: {e}"))?;
    Ok((wasm, glue))
}

/// Exports that only wasm-bindgen's glue may call. Those it does not name (the runtime's own,
/// such as `__abort_handler`) keep their names.
fn glue_only(name: &str) -> bool {
    name.starts_with("__") || name.starts_with("wasm_bindgen__")
}

/// Every run of identifier characters in `js`. Strings and comments are not told apart: a name
/// inside a string is renamed too, which is what the glue's own lookups by string would need.
fn identifiers(js: &str) -> impl Iterator<Item = &str> {
    js.split(|c: char| !is_ident(c)).filter(|s| !s.is_empty())
}

/// Names `a`..`Z`, then `aa`.., skipping any the glue already uses.
struct Fresh<'a> {
    next: usize,
    taken: HashSet<&'a str>,
}

impl Fresh<'_> {
    fn rename(&mut self, old: &str, renamed: &mut HashMap<String, String>) -> String {
        if let Some(new) = renamed.get(old) {
            return new.clone();
        }
        let new = loop {
            let candidate = letters(self.next);
            self.next += 1;
            if !self.taken.contains(candidate.as_str()) {
                break candidate;
            }
        };
        renamed.insert(old.to_owned(), new.clone());
        new
    }
}

fn letters(mut n: usize) -> String {
    const ABC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    loop {
        out.push(ABC[n % ABC.len()]);
        n /= ABC.len();
        if n == 0 {
            break;
        }
        n -= 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// `js` with each whole identifier found in `renamed` replaced. Every renamed import must be
/// found: an import the glue does not name would be one it provides some other way, and the
/// renamed module would no longer find it.
fn rename_identifiers(js: &str, renamed: &HashMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(js.len());
    let mut seen: HashSet<&str> = HashSet::new();
    let mut rest = js;
    while let Some(start) = rest.find(is_ident) {
        out.push_str(&rest[..start]);
        let word = &rest[start..];
        let end = word.find(|c: char| !is_ident(c)).unwrap_or(word.len());
        let (word, tail) = word.split_at(end);
        match renamed.get_key_value(word) {
            Some((old, new)) => {
                out.push_str(new);
                seen.insert(old);
            }
            None => out.push_str(word),
        }
        rest = tail;
    }
    out.push_str(rest);
    let mut missing: Vec<&str> = renamed
        .keys()
        .map(String::as_str)
        .filter(|k| !seen.contains(k))
        .collect();
    missing.sort_unstable();
    if let Some(first) = missing.first() {
        return Err(format!(
            "the glue never names {} of the wasm's imports or exports (first: {first}); \
             renaming them would break the page",
            missing.len()
        ));
    }
    Ok(out)
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// `shorten` on the files in place.
pub fn shorten_files(wasm: &std::path::Path, glue: &std::path::Path) -> Result<(), String> {
    let bytes = std::fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    let js = std::fs::read_to_string(glue)
        .map_err(|e| format!("cannot read {}: {e}", glue.display()))?;
    let (bytes, js) = shorten(&bytes, &js)?;
    std::fs::write(wasm, bytes).map_err(|e| format!("cannot write {}: {e}", wasm.display()))?;
    std::fs::write(glue, js).map_err(|e| format!("cannot write {}: {e}", glue.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, CustomSection, EntityType, ExportKind, ExportSection, Function,
        FunctionSection, ImportSection, Instruction, Module, TypeSection,
    };

    /// A module importing two functions and exporting, as wasm-bindgen's would, the glue's
    /// start, a function the page calls and one that nothing in the glue names; with a custom
    /// section, which must come through whole.
    fn module() -> Vec<u8> {
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut imports = ImportSection::new();
        imports.import(
            "./app_bg.js",
            "__wbg_alert_0123456789abcdef",
            EntityType::Function(0),
        );
        imports.import(
            "./app_bg.js",
            "__wbindgen_throw_fedcba9876543210",
            EntityType::Function(0),
        );
        m.section(&imports);
        let mut functions = FunctionSection::new();
        functions.function(0);
        m.section(&functions);
        let mut exports = ExportSection::new();
        exports.export("__wbindgen_start", ExportKind::Func, 2);
        exports.export("mount", ExportKind::Func, 2);
        exports.export("__abort_handler", ExportKind::Func, 2);
        m.section(&exports);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.instruction(&Instruction::Call(0));
        f.instruction(&Instruction::End);
        code.function(&f);
        m.section(&code);
        m.section(&CustomSection {
            name: "note".into(),
            data: b"kept as it is".into(),
        });
        m.finish()
    }

    const GLUE: &str = "const a=1;function i(){return{__proto__:null,\"./app_bg.js\":{\
        __wbg_alert_0123456789abcdef:function(n){alert(n)},\
        __wbindgen_throw_fedcba9876543210:function(n){throw n}}}}\
        export function mount(){O.mount()}O.__wbindgen_start();";

    fn names(wasm: &[u8]) -> (Vec<String>, Vec<String>) {
        let (mut imports, mut exports) = (vec![], vec![]);
        for p in Parser::new(0).parse_all(wasm) {
            match p.unwrap() {
                Payload::ImportSection(r) => {
                    for i in r.into_imports() {
                        imports.push(i.unwrap().name.to_owned());
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        exports.push(e.unwrap().name.to_owned());
                    }
                }
                _ => {}
            }
        }
        (imports, exports)
    }

    #[test]
    fn imports_and_the_glues_own_exports_get_short_names_on_both_sides() {
        let (wasm, glue) = shorten(&module(), GLUE).unwrap();
        wasmparser::validate(&wasm).unwrap();
        let (imports, exports) = names(&wasm);
        // `a` is a name the glue already uses, so the first new name is `b`.
        assert_eq!(imports, ["b", "c"]);
        assert_eq!(exports, ["d", "mount", "__abort_handler"]);
        assert_eq!(
            glue,
            "const a=1;function i(){return{__proto__:null,\"./app_bg.js\":{\
             b:function(n){alert(n)},c:function(n){throw n}}}}\
             export function mount(){O.mount()}O.d();"
        );
        let custom = Parser::new(0)
            .parse_all(&wasm)
            .find_map(|p| match p.unwrap() {
                Payload::CustomSection(c) => Some((c.name().to_owned(), c.data().to_vec())),
                _ => None,
            });
        assert_eq!(custom, Some(("note".to_owned(), b"kept as it is".to_vec())));
        // Everything else in the module is byte for byte what it was.
        assert_eq!(
            wasm.len()
                + "__wbg_alert_0123456789abcdef__wbindgen_throw_fedcba9876543210".len()
                + "__wbindgen_start".len(),
            module().len() + 3
        );
    }

    #[test]
    fn a_glue_that_does_not_name_an_import_is_refused() {
        let err = shorten(&module(), "O.__wbindgen_start();").unwrap_err();
        assert!(err.contains("never names 2"), "{err}");
    }

    #[test]
    fn a_name_is_renamed_only_as_a_whole_identifier() {
        let renamed = HashMap::from([("ab".to_owned(), "x".to_owned())]);
        assert_eq!(
            rename_identifiers("ab+abc+$ab+ab.ab", &renamed).unwrap(),
            "x+abc+$ab+x.x"
        );
    }

    #[test]
    fn new_names_run_through_one_two_and_three_letters() {
        assert_eq!(letters(0), "a");
        assert_eq!(letters(51), "Z");
        assert_eq!(letters(52), "aa");
        assert_eq!(letters(52 + 52 * 52), "aaa");
    }
}
