//! Text carried inside a link: compressed by the browser's own `CompressionStream`
//! (`deflate-raw`), then written in base64url, so a lesson file of 2 kB becomes about 1 kB of
//! link with no compressor in the wasm.
//!
//! # Contract
//! - [`unpack`] reverses [`pack`]. Anything else (cut short, not base64url, not deflate) is an
//!   `Err` saying so; nothing here panics.
//! - Both are asynchronous: the browser compresses off the page's own code.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ReadableWritablePair, Response};

#[wasm_bindgen]
extern "C" {
    /// Not in web-sys's stable set (it is behind `web_sys_unstable_apis`), though every
    /// browser the page supports has it.
    #[wasm_bindgen(js_name = CompressionStream)]
    type Compressor;
    #[wasm_bindgen(constructor, js_class = "CompressionStream", catch)]
    fn compressor(format: &str) -> Result<Compressor, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = DecompressionStream)]
    type Decompressor;
    #[wasm_bindgen(constructor, js_class = "DecompressionStream", catch)]
    fn decompressor(format: &str) -> Result<Decompressor, JsValue>;
}

const FORMAT: &str = "deflate-raw";

/// `parts` (a Blob's parts) through a compression or decompression stream, as a response
/// whose body is what comes out.
fn through(parts: &JsValue, transform: Result<JsValue, JsValue>) -> Result<Response, JsValue> {
    let stream = Blob::new_with_blob_sequence(&Array::of1(parts))?.stream();
    let piped = stream.pipe_through(transform?.unchecked_ref::<ReadableWritablePair>());
    Response::new_with_opt_readable_stream(Some(&piped))
}

/// `text`, deflated, in base64url without padding.
pub async fn pack(text: &str) -> Result<String, String> {
    let failed = |_| "the browser could not compress it".to_owned();
    let response =
        through(&text.into(), Compressor::compressor(FORMAT).map(Into::into)).map_err(failed)?;
    let buffer = JsFuture::from(response.array_buffer().map_err(failed)?)
        .await
        .map_err(failed)?;
    let binary: String = Uint8Array::new(&buffer)
        .to_vec()
        .into_iter()
        .map(char::from)
        .collect();
    let base64 = web_sys::window()
        .ok_or("no window")?
        .btoa(&binary)
        .map_err(failed)?;
    Ok(base64
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_"))
}

/// The text [`pack`] packed into `data`.
pub async fn unpack(data: &str) -> Result<String, String> {
    const EXPECTED: &str = "text packed by this playground (base64url of deflate)";
    let base64 = data.replace('-', "+").replace('_', "/");
    let binary = web_sys::window()
        .ok_or("no window")?
        .atob(&base64)
        .map_err(|_| EXPECTED.to_owned())?;
    let bytes: Vec<u8> = binary.chars().map(|c| c as u8).collect();
    let failed = |_| EXPECTED.to_owned();
    let response = through(
        &Uint8Array::from(&bytes[..]).into(),
        Decompressor::decompressor(FORMAT).map(Into::into),
    )
    .map_err(failed)?;
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    text.as_string().ok_or_else(|| EXPECTED.to_owned())
}
