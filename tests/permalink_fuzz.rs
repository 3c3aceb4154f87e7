//! The permalink decoder never panics, and every part it refuses comes with a message.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use queue_playground::permalink::{decode, encode};

proptest! {
    #[test]
    fn any_text_decodes_without_panicking(text in ".{0,300}") {
        let (_, notices) = decode(&text);
        for n in notices {
            prop_assert!(!n.param.is_empty() && !n.expected.is_empty());
        }
    }

    #[test]
    fn link_shaped_text_decodes_without_panicking(
        parts in prop::collection::vec(("[a-z]{1,5}", "[a-z0-9.~%+-]{0,30}"), 0..10)
    ) {
        let query: Vec<String> = parts.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let (link, _) = decode(&query.join("&"));
        // Whatever survives decoding encodes to a link that decodes to the same thing.
        prop_assert_eq!(decode(&encode(&link)), (link, vec![]));
    }
}
