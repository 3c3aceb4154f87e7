//! Lesson progress, remembered across visits in localStorage.
//!
//! Stored as JSON `{"poison-pill": true, "ordering": false}`: answered lessons, and whether the
//! prediction matched what the engine showed. Storage can be missing or refused (private modes,
//! sandboxed iframes, file://): then progress lasts for the visit only, and nothing breaks.

use std::collections::BTreeMap;

pub type Progress = BTreeMap<String, bool>;

const KEY: &str = "queue-playground.lessons.v1";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load() -> Progress {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

pub fn save(progress: &Progress) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(progress)) {
        // A full or refused store only costs the memory across visits.
        let _ = s.set_item(KEY, &text);
    }
}
