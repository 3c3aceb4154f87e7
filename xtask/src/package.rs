//! What `cargo xtask build` adds to Trunk's `dist/`, for course authors:
//!
//! - `start.js`: Trunk's inline start-up script moved to a file, so the page runs under
//!   `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'` (no inline script).
//! - `playground.js`: a stable-named module whose `mount(element, options)` renders the
//!   playground into a host page; it finds the content-hashed files next to it.
//! - `queue-playground-standalone.html`: one self-contained file (CSS, scripts and the wasm,
//!   base64, inlined) that opens from disk (file://) with no server.

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

/// Splits Trunk's inline `<script type="module">…</script>` out of the page.
pub fn split_inline_module(html: &str) -> Option<(String, String)> {
    let open = "<script type=\"module\">";
    let start = html.find(open)?;
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

pub fn after_trunk(dist: &Path) -> Result<(), String> {
    let dist: PathBuf = crate::run::root().join(dist);
    let index = dist.join("index.html");
    let html = read(&index)?;
    let glue = find(&dist, "queue-playground-", ".js", "_bg.js")?;
    let wasm = find(&dist, "queue-playground-", "_bg.wasm", ".none")?;
    let css = find(&dist, "style-", ".css", ".none")?;
    let boot = find(&dist, "boot-", ".js", ".none")?;
    let favicon = find(&dist, "favicon-", ".svg", ".none")?;

    // 1. No inline script: CSP-friendly page.
    if let Some((page, script)) = split_inline_module(&html) {
        write(&dist.join("start.js"), &format!("{script}\n"))?;
        write(&index, &page)?;
    } else if !html.contains("src=\"./start.js\"") {
        return Err("dist/index.html has no start-up script to move out".into());
    }

    // 2. The embedding module.
    write(
        &dist.join("playground.js"),
        &format!(
            r#"// Queue Playground for course pages. See EMBEDDING.md:
//   import {{ mount }} from "https://your.site/playground/playground.js";
//   const playground = await mount(document.getElementById("lesson"), {{ lesson: "poison-pill" }});
import init, {{ mountPlayground }} from "./{glue}";

let ready;

/** Renders a playground into `element`; resolves to a handle (play, pause, step, loadLesson, destroy). */
export function mount(element, options) {{
  ready ??= init({{ module_or_path: new URL("./{wasm}", import.meta.url) }});
  return ready.then(() => mountPlayground(element, options, new URL("./{css}", import.meta.url).href));
}}
"#
        ),
    )?;

    // 3. One file that opens from disk.
    let glue_js = read(&dist.join(&glue))?;
    let wasm_bytes =
        std::fs::read(dist.join(&wasm)).map_err(|e| format!("cannot read {wasm}: {e}"))?;
    let style = read(&dist.join(&css))?;
    let boot_js = read(&dist.join(&boot))?;
    let icon = base64::engine::general_purpose::STANDARD.encode(read(&dist.join(&favicon))?);
    let wasm_b64 = base64::engine::general_purpose::STANDARD.encode(&wasm_bytes);
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
<script type="module">
{glue_js}
const __qp_wasm_bytes = Uint8Array.from(atob("{wasm_b64}"), (c) => c.charCodeAt(0));
await __wbg_init({{ module_or_path: __qp_wasm_bytes }});
dispatchEvent(new CustomEvent("TrunkApplicationStarted"));
</script>
</body>
</html>
"#
    );
    write(&dist.join(STANDALONE), &standalone)?;
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
