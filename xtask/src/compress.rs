//! Pre-compressed copies of `dist/`: `F.gz` and `F.br` beside every text or wasm file `F`.
//!
//! Contract: after the release build, each served file of a compressible type gets a gzip
//! (level 9) and a brotli (quality 11) copy, byte for byte the same content when decoded. Hosts
//! that serve pre-compressed files (nginx `gzip_static`/`brotli_static`, Caddy `precompressed`,
//! Netlify and Cloudflare Pages by themselves) then send the smaller one with no work per request;
//! a host that ignores them serves the originals as before. The copies are never counted in the
//! budget, which measures the originals' gzip size (see `budget.rs`). Images and files that are
//! already small gain nothing and are left alone.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

/// Below this a compressed copy saves less than one network packet.
const MIN_BYTES: usize = 1024;
const TYPES: &[&str] = &["html", "js", "css", "wasm", "json", "svg", "txt"];

/// Is this a copy made here (and so skipped by the budget and by a second run)?
pub fn is_copy(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "gz" || e == "br")
}

/// Writes the `.gz` and `.br` copies.
pub fn precompress(dist: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    collect(dist, &mut files).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    for path in files {
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| TYPES.contains(&e));
        if !wanted || bytes.len() < MIN_BYTES {
            continue;
        }
        write(&with_suffix(&path, "br"), &brotli(&bytes))?;
        write(&with_suffix(&path, "gz"), &gzip(&bytes))?;
    }
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if !is_copy(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn copies_decode_to_the_original_and_small_or_binary_files_are_left_alone() {
        let dir = std::env::temp_dir().join(format!("qp-compress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("oembed")).unwrap();
        let page = "<p>order 42 cooked</p>\n".repeat(200);
        std::fs::write(dir.join("index.html"), &page).unwrap();
        std::fs::write(dir.join("oembed/tiny.json"), "{}").unwrap();
        std::fs::write(dir.join("photo.png"), vec![7u8; 4096]).unwrap();

        precompress(&dir).unwrap();
        let gz = std::fs::read(dir.join("index.html.gz")).unwrap();
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, page);
        let br = std::fs::read(dir.join("index.html.br")).unwrap();
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut decoded).unwrap();
        assert_eq!(decoded, page.as_bytes());
        assert!(br.len() < page.len() / 20, "{} B of brotli", br.len());
        assert!(
            !dir.join("oembed/tiny.json.gz").exists(),
            "too small to gain"
        );
        assert!(
            !dir.join("photo.png.br").exists(),
            "not a compressible type"
        );

        // A second run makes no copies of copies.
        precompress(&dir).unwrap();
        assert!(!dir.join("index.html.gz.gz").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
