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
        // Whatever survives decoding encodes to a link that decodes to the same thing, except
        // the embedding options, which a copied link leaves behind on purpose.
        let mut expected = link.clone();
        expected.embed = Default::default();
        prop_assert_eq!(decode(&encode(&link)), (expected, vec![]));
    }

    #[test]
    fn embedding_options_never_panic_and_every_refusal_names_the_option(
        parts in prop::collection::vec((
            prop::sample::select(queue_playground::embed::KEYS),
            prop_oneof![".{0,40}", "[a-z,:/.-]{0,40}", Just("ordering,batch".to_owned()), Just("https://a.example".to_owned())]
        ), 0..8)
    ) {
        let query: Vec<String> = parts.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let (link, notices) = decode(&query.join("&"));
        for n in &notices {
            prop_assert!(!n.param.is_empty() && !n.expected.is_empty(), "{:?}", n);
        }
        // Whatever was accepted is a known name or a well-formed origin.
        for name in link.embed.locked.iter() {
            prop_assert!(queue_playground::embed::CONTROLS.iter().any(|(n, _)| n == name));
        }
        for origin in &link.embed.origins {
            prop_assert!(origin.starts_with("http://") || origin.starts_with("https://"));
            prop_assert!(!origin["https://".len().min(origin.len())..].contains('/'));
        }
    }
}
