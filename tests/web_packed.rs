//! Text packed into a link by the browser's own compressor, and read back, in a real browser:
//! what the lesson writer's links carry.
#![cfg(target_arch = "wasm32")]

use queue_playground::packed::{pack, unpack};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn packed_text_reads_back_and_is_shorter_and_link_safe() {
    let text = format!(
        "{{\"title\": \"Ünïcode “quotes” and a 🍕\", \"steps\": [{}]}}",
        ["\"Watch the queue fill.\""; 20].join(", ")
    );
    let data = pack(&text).await.expect("packed");
    assert!(
        data.len() < text.len() / 2,
        "{} of {}",
        data.len(),
        text.len()
    );
    assert!(data
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_eq!(unpack(&data).await.as_deref(), Ok(text.as_str()));
    assert_eq!(unpack(&pack("").await.unwrap()).await.as_deref(), Ok(""));
}

#[wasm_bindgen_test]
async fn anything_else_is_refused_with_a_reason() {
    let expected = Err("text packed by this playground (base64url of deflate)".to_owned());
    // Not base64; base64 of bytes that are not deflate; a packed text cut short.
    assert_eq!(unpack("*not base64*").await, expected);
    assert_eq!(unpack("bm90LWRlZmxhdGU").await, expected);
    let data = pack(&"a lesson ".repeat(50)).await.unwrap();
    assert_eq!(unpack(&data[..data.len() / 2]).await, expected);
}
