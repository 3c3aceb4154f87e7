//! What `cargo xtask build` adds to Trunk's `dist/`, for course authors:
//!
//! - `start.js`: Trunk's inline start-up script moved to a file, so the page runs under
//!   `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'` (no inline script).
//! - `playground.js`: a stable-named module whose `mount(element, options)` renders the
//!   playground into a host page; it finds the content-hashed files next to it.
//! - `queue-playground-standalone.html`: one self-contained file (CSS, scripts and the wasm,
//!   gzipped and base64, inlined) that opens from disk (file://) with no server.
//! - `oembed/<lesson>.json` (and `oembed/index.json` for free play): oEmbed responses, so a
//!   site that speaks oEmbed turns a link to a lesson into the embedded lesson.

use std::path::{Path, PathBuf};

use base64::Engine;

pub const STANDALONE: &str = "queue-playground-standalone.html";

fn find(dist: &Path, prefix: &str, suffix: &str, exclude: &str) -> Result<String, String> {
    let mut found = Vec::new();
    for entry in
        std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?
    {
        let name = entry
            .map_err(|e| e.to_string())?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.starts_with(prefix) && name.ends_with(suffix) && !name.ends_with(exclude) {
            found.push(name);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "expected one {prefix}*{suffix} in {}, found {found:?}",
            dist.display()
        )),
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Splits Trunk's inline `<script type="module">…</script>` out of the page (quoted or, in
/// Trunk's minified HTML, not).
pub fn split_inline_module(html: &str) -> Option<(String, String)> {
    let (start, open) = ["<script type=\"module\">", "<script type=module>"]
        .iter()
        .find_map(|open| Some((html.find(open)?, *open)))?;
    let body_start = start + open.len();
    let end = body_start + html[body_start..].find("</script>")?;
    let script = html[body_start..end].trim().to_owned();
    let page = format!(
        "{}<script type=\"module\" src=\"./start.js\"></script>{}",
        &html[..start],
        &html[end + "</script>".len()..]
    );
    Some((page, script))
}

/// wasm-bindgen's JS glue without doc comments, line comments and indentation: 1.3 kB less
/// gzip. Trunk's own minifier cannot parse the glue (`export default`) and leaves it as is.
/// Line by line, so no statement is joined with another; the glue's template literals are all
/// on one line, so no string loses its indentation.
pub fn strip_js(js: &str) -> String {
    let mut out = String::with_capacity(js.len());
    let mut in_comment = false;
    for line in js.lines().map(str::trim) {
        if in_comment || line.starts_with("/*") {
            in_comment = !line.ends_with("*/");
        } else if !line.is_empty() && !line.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The glue through terser (npm, installed with the other packages): local names shortened
/// and dead code dropped, property names and exports kept, since the wasm imports its
/// functions by name. 7,312 → 6,335 B gzip (2026-12-03). strip_js runs first, so a missing
/// terser is an error, not a silently larger page.
fn minify_glue(path: &Path) -> Result<(), String> {
    let file = path.to_string_lossy();
    crate::run::command(
        "terser",
        &[
            &file,
            "--module",
            "--compress",
            // The single-file build calls the glue's init by this name (step 3 below).
            "--mangle",
            "reserved=['__wbg_init']",
            "--output",
            &file,
        ],
    )
    .status()
    .map_err(|e| format!("terser (npm package; `npm ci` installs it) failed on the glue: {e}"))
}

/// A classic script through terser: its names shortened and its comments dropped.
fn minify_script(path: &Path) -> Result<(), String> {
    let file = path.to_string_lossy();
    crate::run::command(
        "terser",
        &[&file, "--compress", "--mangle", "--output", &file],
    )
    .status()
    .map_err(|e| format!("terser (npm package; `npm ci` installs it) failed on {file}: {e}"))
}

/// The page's start-up script, in place of Trunk's inline one (which also exports the bindings
/// and fires an event nothing here uses): wait for boot.js's gate (`poster=1`: the learner's
/// click), then import the glue and start the wasm. A dynamic import, because a static one
/// would fetch the glue before any code could wait.
pub fn start_js(glue: &str, wasm: &str) -> String {
    format!(
        "await window.queuePlaygroundGate;\nconst {{ default: init }} = await import(\"./{glue}\");\nawait init({{ module_or_path: \"./{wasm}\" }});\n"
    )
}

/// Trunk's preload links, made inert (`data-rel`), with boot.js moved after them: boot.js turns
/// them back on unless the page waits for a click, because the browser's preload scanner
/// fetches any `rel="preload"` in the HTML before a script could remove it.
pub fn inert_preloads(page: &str, boot: &str) -> Result<String, String> {
    let src = page
        .find(&format!("./{boot}"))
        .ok_or("index.html has no boot script")?;
    let tag_start = page[..src]
        .rfind("<script")
        .ok_or("no <script before boot.js")?;
    let tag_end = src
        + page[src..]
            .find("</script>")
            .ok_or("unterminated boot script")?
        + "</script>".len();
    let tag = &page[tag_start..tag_end];
    let mut page = format!("{}{}", &page[..tag_start], &page[tag_end..]);
    // Quoted as Trunk writes them, or bare in its minified HTML.
    for rel in ["modulepreload", "preload"] {
        for quote in ["\"", ""] {
            page = page.replace(
                &format!(" rel={quote}{rel}{quote}"),
                &format!(" data-rel={quote}{rel}{quote}"),
            );
        }
    }
    let head_end = page.find("</head>").ok_or("index.html has no </head>")?;
    Ok(format!("{}{tag}\n{}", &page[..head_end], &page[head_end..]))
}

/// The studio page's folder inside `dist/`: the playground with the tools for course authors
/// (`studio.html`, built with the feature `studio`).
pub const STUDIO: &str = "studio";
/// The studio's planner worker: Trunk names its files after the binary (`planner.js`,
/// `planner_bg.wasm`, `planner_loader.js`), without a hash.
pub const PLANNER: &str = "planner";

/// What `cargo xtask build` does after Trunk, in `dist` (the playground's own page) or, with
/// `studio`, in the studio's folder, which needs only the first two steps and the compressed
/// copies: nothing embeds it, and it has no single-file build or link previews of its own.
pub fn after_trunk(dist: &Path, studio: bool) -> Result<(), String> {
    let dist: PathBuf = crate::run::root().join(dist);
    let index = dist.join("index.html");
    let html = read(&index)?;
    let glue = find(&dist, "queue-playground-", ".js", "_bg.js")?;
    let wasm = find(&dist, "queue-playground-", "_bg.wasm", ".none")?;
    let css = find(&dist, "style-", ".css", ".none")?;
    let boot = find(&dist, "boot-", ".js", ".none")?;
    let favicon = find(&dist, "favicon-", ".svg", ".none")?;

    // 0. The JS glue without its comments and indentation. The page has no integrity hash for
    // it (index.html says why), which would now be stale.
    let original = read(&dist.join(&glue))?;
    if html.contains("integrity=sha") {
        return Err("index.html has integrity hashes: the stripped glue would not match".into());
    }
    // Trunk passes `data-integrity="none"` through on some tags; it means nothing to a browser.
    let html = html
        .replace(" data-integrity=none", "")
        .replace(" data-integrity=\"none\"", "");
    write(&dist.join(&glue), &strip_js(&original))?;
    minify_glue(&dist.join(&glue))?;
    crate::names::shorten_files(&dist.join(&wasm), &dist.join(&glue))?;

    // 1. No inline script: CSP-friendly page. And click to load (`poster=1`): nothing heavy
    // is fetched before boot.js opens its gate.
    if let Some((page, _)) = split_inline_module(&html) {
        write(&dist.join("start.js"), &start_js(&glue, &wasm))?;
        write(&index, &inert_preloads(&page, &boot)?)?;
    } else if !html.contains("src=\"./start.js\"") {
        return Err("dist/index.html has no start-up script to move out".into());
    }

    if studio {
        // The builder's page side (fetched when first used) goes through terser like the glue.
        minify_glue(&dist.join(format!("{PLANNER}_builder.js")))?;
        // So does the worker's glue, a classic script: Trunk's minifier names its locals in
        // an order that changes from build to build, which moved its gzip by some 10 B, and
        // terser's names are 0.1 kB smaller (2,408 -> 2,302 B).
        minify_script(&dist.join(format!("{PLANNER}.js")))?;
        crate::names::shorten_files(
            &dist.join(format!("{PLANNER}_bg.wasm")),
            &dist.join(format!("{PLANNER}.js")),
        )?;
        // So does the studio's own start-up script, which Trunk's minifier cannot parse (its
        // `import()`) and leaves with its comments: a classic script, so not as a module.
        let script = find(&dist, "studio-", ".js", ".none")?;
        minify_script(&dist.join(script))?;
        return crate::compress::precompress(&dist);
    }

    // 2. The embedding module. With `poster: true` (click to load) a button holds the element's
    // place, and the wasm is fetched only after its click. (No comments in the module beyond
    // its usage: each byte counts against the download budget.)
    write(
        &dist.join("playground.js"),
        &format!(
            r#"// Queue Playground for course pages. See EMBEDDING.md:
//   import {{ mount }} from "https://your.site/playground/playground.js";
//   const playground = await mount(document.getElementById("lesson"), {{ lesson: "poison-pill" }});
import init, {{ mountPlayground }} from "./{glue}";

let ready;

/** Renders a playground into `element`; resolves to a handle (play, pause, step, loadLesson, destroy). */
export async function mount(element, options) {{
  if (options && options.poster === true && element instanceof Element) {{
    const button = document.createElement("button");
    button.textContent = "▸ Load the queue playground";
    element.append(button);
    await new Promise((go) => button.addEventListener("click", go, {{ once: true }}));
    button.remove();
  }}
  ready ??= init({{ module_or_path: new URL("./{wasm}", import.meta.url) }});
  return ready.then(() => mountPlayground(element, options, new URL("./{css}", import.meta.url).href));
}}
"#
        ),
    )?;

    // 2b. The lesson files Trunk copied, without their indentation; the single-file build
    // carries all of them inline, since nothing can be fetched from file://.
    let lessons = lesson_files(&dist)?;
    let exports = export_files(&dist)?;

    // 3. One file that opens from disk.
    let glue_js = read(&dist.join(&glue))?;
    let wasm_bytes =
        std::fs::read(dist.join(&wasm)).map_err(|e| format!("cannot read {wasm}: {e}"))?;
    let style = read(&dist.join(&css))?;
    let boot_js = read(&dist.join(&boot))?;
    let icon = base64::engine::general_purpose::STANDARD.encode(read(&dist.join(&favicon))?);
    // Gzipped before base64, and unzipped by the browser's own DecompressionStream. Base64 of
    // the wasm as it is compressed poorly, as a repeat in the wasm reads the same in base64
    // only when it starts at the same place in a group of three bytes: the file was 1.28 MB,
    // 0.51 MB gzip.
    let wasm_b64 =
        base64::engine::general_purpose::STANDARD.encode(crate::compress::gzip(&wasm_bytes));
    for (name, text) in [("glue", &glue_js), ("css", &style), ("boot", &boot_js)] {
        if text.contains("</script") || text.contains("</style") {
            return Err(format!(
                "{name} contains a closing tag and cannot be inlined"
            ));
        }
    }
    let body = body_of(&html)?;
    let standalone = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Queue Playground</title>
<link rel="icon" href="data:image/svg+xml;base64,{icon}">
<style>
{style}
</style>
<script>
{boot_js}
</script>
</head>
<body>
{body}
<script type="application/json" id="queue-playground-lessons">{lessons}</script>
{exports}
<script type="module">
{glue_js}
await window.queuePlaygroundGate;
const __qp_wasm_gz = Uint8Array.from(atob("{wasm_b64}"), (c) => c.charCodeAt(0));
const __qp_wasm_bytes = await new Response(new Response(__qp_wasm_gz).body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
await __wbg_init({{ module_or_path: __qp_wasm_bytes }});
dispatchEvent(new CustomEvent("TrunkApplicationStarted"));
</script>
</body>
</html>
"#
    );
    write(&dist.join(STANDALONE), &standalone)?;

    // 4. oEmbed, one small file per lesson.
    oembed(&dist)?;

    // 5. Gzip and brotli copies for hosts that serve pre-compressed files (EMBEDDING.md).
    crate::compress::precompress(&dist)
}

/// Where the site will be served, for the iframe addresses inside the oEmbed files: a consumer
/// puts that HTML in its own page, so a relative address would point at the consumer's site.
pub const PUBLIC_URL_VAR: &str = "PLAYGROUND_URL";

/// The files in `folder` whose extension is `ext`, in name order.
fn files_in(folder: &Path, ext: &str) -> Result<Vec<PathBuf>, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| format!("cannot read {}: {e}", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Rewrites each `dist/lessons/*.json` compactly and returns all of them as one JSON array,
/// safe inside a `<script>` element (`</` is written `<\/`, which JSON reads the same).
fn lesson_files(dist: &Path) -> Result<String, String> {
    let folder = dist.join("lessons");
    let mut all = Vec::new();
    for path in files_in(&folder, "json")? {
        let value: serde_json::Value =
            serde_json::from_str(&read(&path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        write(&path, &value.to_string())?;
        all.push(value);
    }
    if all.is_empty() {
        return Err(format!("{} holds no lessons", folder.display()));
    }
    Ok(serde_json::Value::Array(all)
        .to_string()
        .replace("</", "<\\/"))
}

/// Each `dist/exports/NAME.txt` as the element the single-file build reads it from
/// (`src/lesson_files.rs`): `<script type="text/plain" id="queue-playground-export-NAME">`.
fn export_files(dist: &Path) -> Result<String, String> {
    let mut out = String::new();
    for path in files_in(&dist.join("exports"), "txt")? {
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        let text = read(&path)?;
        if text.contains("</script") {
            return Err(format!(
                "{} cannot be inlined: it holds </script",
                path.display()
            ));
        }
        out.push_str(&format!(
            r#"<script type="text/plain" id="queue-playground-export-{name}">{text}</script>"#
        ));
    }
    Ok(out)
}

/// One oEmbed "rich" response: the playground's iframe at `query`, titled `title`, allowed to
/// write to the clipboard as EMBEDDING.md's iframe is. Only the required fields, and the title
/// on the iframe (for screen readers) rather than beside it too: a site fetches one for each
/// link it previews.
pub fn oembed_json(base: &str, query: &str, title: &str) -> String {
    let html = format!(
        r#"<iframe src="{base}index.html?embed=1{query}" width=800 height=640 allow="clipboard-write" title="{}"></iframe>"#,
        title.replace('"', "&quot;")
    );
    format!(
        r#"{{"version":"1.0","type":"rich","width":800,"height":640,"html":{}}}"#,
        serde_json::Value::from(html)
    )
}

fn oembed(dist: &Path) -> Result<(), String> {
    let mut base = std::env::var(PUBLIC_URL_VAR).unwrap_or_default();
    if !base.is_empty() && !base.ends_with('/') {
        base.push('/');
    }
    let out = dist.join("oembed");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    write(
        &out.join("index.json"),
        &oembed_json(&base, "", "Queue Playground"),
    )?;
    let lessons = crate::run::root().join("lessons");
    let entries = std::fs::read_dir(&lessons)
        .map_err(|e| format!("cannot read {}: {e}", lessons.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let lesson: serde_json::Value =
            serde_json::from_str(&read(&path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        let (Some(id), Some(title)) = (lesson["id"].as_str(), lesson["title"].as_str()) else {
            return Err(format!("{}: no id or title", path.display()));
        };
        write(
            &out.join(format!("{id}.json")),
            &oembed_json(&base, &format!("&lesson={id}"), title),
        )?;
    }
    Ok(())
}

fn body_of(html: &str) -> Result<&str, String> {
    let start = html.find("<body>").ok_or("index.html has no <body>")? + "<body>".len();
    let end = html.rfind("</body>").ok_or("index.html has no </body>")?;
    Ok(html[start..end].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_files_are_rewritten_compactly_and_inlined_safely() {
        let dist = std::env::temp_dir().join(format!("qp-lessons-{}", std::process::id()));
        let folder = dist.join("lessons");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("b.json"),
            "{\n  \"id\": \"b\",\n  \"t\": \"</script>\"\n}",
        )
        .unwrap();
        std::fs::write(folder.join("a.json"), "{ \"id\": \"a\" }").unwrap();
        let inline = lesson_files(&dist).unwrap();
        assert_eq!(inline, r#"[{"id":"a"},{"id":"b","t":"<\/script>"}]"#);
        let back: serde_json::Value = serde_json::from_str(&inline).unwrap();
        assert_eq!(back[1]["t"], "</script>", "JSON reads <\\/ as </");
        assert_eq!(
            std::fs::read_to_string(folder.join("b.json")).unwrap(),
            r#"{"id":"b","t":"</script>"}"#
        );
        std::fs::write(folder.join("c.json"), "{").unwrap();
        assert!(lesson_files(&dist).unwrap_err().contains("c.json"));
        std::fs::remove_dir_all(&dist).unwrap();
    }

    #[test]
    fn stripping_js_keeps_every_statement_on_its_own_line() {
        let js = "/**\n * Doc.\n */\nexport function a() {\n    // why\n    return `x ${1}`;\n}\n/* one */\nconst b = 1;\n";
        assert_eq!(
            strip_js(js),
            "export function a() {\nreturn `x ${1}`;\n}\nconst b = 1;\n"
        );
    }

    #[test]
    fn the_start_up_script_waits_for_the_gate_before_importing() {
        let out = start_js("a.js", "a_bg.wasm");
        let gate = out.find("await window.queuePlaygroundGate;").unwrap();
        assert!(
            gate < out.find("await import(\"./a.js\")").unwrap(),
            "{out}"
        );
        assert!(out.contains("module_or_path: \"./a_bg.wasm\""), "{out}");
    }

    #[test]
    fn preloads_are_inert_until_boot_js_after_them_turns_them_on() {
        let page = "<head>\n<script src=\"./boot-1.js\" integrity=\"x\"></script>\n<link rel=\"modulepreload\" href=\"./a.js\"><link rel=\"preload\" href=\"./a_bg.wasm\"></head><body></body>";
        let out = inert_preloads(page, "boot-1.js").unwrap();
        assert_eq!(
            out,
            "<head>\n\n<link data-rel=\"modulepreload\" href=\"./a.js\"><link data-rel=\"preload\" href=\"./a_bg.wasm\"><script src=\"./boot-1.js\" integrity=\"x\"></script>\n</head><body></body>"
        );
    }

    #[test]
    fn trunks_minified_page_is_handled_too() {
        let page = "<head><script type=module>import init, * as bindings from './a.js';</script><script integrity=x src=./boot-1.js></script><link crossorigin href=./a.js rel=modulepreload><link as=fetch href=./a_bg.wasm rel=preload type=application/wasm></head><body>";
        let (page, script) = split_inline_module(page).unwrap();
        assert_eq!(script, "import init, * as bindings from './a.js';");
        let out = inert_preloads(&page, "boot-1.js").unwrap();
        assert_eq!(
            out,
            "<head><script type=\"module\" src=\"./start.js\"></script><link crossorigin href=./a.js data-rel=modulepreload><link as=fetch href=./a_bg.wasm data-rel=preload type=application/wasm><script integrity=x src=./boot-1.js></script>\n</head><body>"
        );
    }

    #[test]
    fn an_oembed_file_is_a_rich_iframe_at_the_lesson() {
        let json = oembed_json("https://x.org/qp/", "&lesson=poison-pill", "The \"pill\"");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["type"], "rich");
        assert_eq!(v["version"], "1.0");
        let html = v["html"].as_str().unwrap();
        assert!(
            html.starts_with(
                r#"<iframe src="https://x.org/qp/index.html?embed=1&lesson=poison-pill""#
            ),
            "{html}"
        );
        assert!(html.contains(r#"title="The &quot;pill&quot;""#), "{html}");
        // Copy link inside it writes to the clipboard from the consumer's origin.
        assert!(html.contains(r#" allow="clipboard-write" "#), "{html}");
    }

    /// studio.html is index.html built with the feature `studio`: the same body, start-up and
    /// assets, so the two pages cannot drift apart. Only its title, description, comment, the
    /// feature, its own stylesheet and no oEmbed link (it has no previews) differ.
    #[test]
    fn the_studio_page_is_the_playgrounds_with_the_studio_feature() {
        let read = |name: &str| std::fs::read_to_string(crate::run::root().join(name)).unwrap();
        let (index, studio) = (read("index.html"), read("studio.html"));
        let body = |html: &str| html[html.find("<body>").unwrap()..].to_owned();
        assert_eq!(body(&studio), body(&index));
        let tags = |html: &str| -> Vec<String> {
            html.lines()
                .map(str::trim)
                .filter(|l| {
                    l.starts_with("<link") || l.starts_with("<script") || l.starts_with("data-")
                })
                .map(|l| l.replace("fetched-lessons,studio", "fetched-lessons"))
                .filter(|l| {
                    !l.contains("static/studio.") && !l.contains("oembed") && !l.contains(PLANNER)
                })
                .collect()
        };
        assert_eq!(tags(&studio), tags(&index));
        assert!(studio.contains(r#"data-cargo-features="fetched-lessons,studio""#));
        // The planner worker is the studio's alone, named as the budget counts it.
        let worker = format!(r#"data-bin="{PLANNER}" data-type="worker""#);
        assert!(studio.contains(&worker) && !index.contains(PLANNER));
        // So is the builder's page side, which the budget counts with the worker.
        let builder = format!(r#"href="static/{PLANNER}_builder.js""#);
        assert!(studio.contains(&builder) && studio.contains(r#"src="static/studio.js""#));
        assert!(studio.contains(r#"href="static/studio.css""#));
    }

    #[test]
    fn the_inline_start_up_script_moves_to_a_file() {
        let html = "<head>\n<script type=\"module\">\nimport init from './a.js';\nawait init();\n</script>\n<link rel=x></head>";
        let (page, script) = split_inline_module(html).unwrap();
        assert_eq!(script, "import init from './a.js';\nawait init();");
        assert_eq!(
            page,
            "<head>\n<script type=\"module\" src=\"./start.js\"></script>\n<link rel=x></head>"
        );
        assert!(
            split_inline_module(&page).is_none(),
            "nothing inline is left"
        );
    }
}
