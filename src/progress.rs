//! Lesson progress, remembered across visits in localStorage.
//!
//! Stored as JSON `{"poison-pill": true, "ordering": false}`: answered lessons, and whether the
//! prediction matched what the engine showed. Storage can be missing or refused (private modes,
//! sandboxed iframes, file://): then progress lasts for the visit only, and nothing breaks.

/// Answered lessons by id, sorted, with whether each prediction matched: a sorted list
/// rather than a `BTreeMap`, whose code the page would carry for a few dozen entries at most.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress(Vec<(String, bool)>);

impl Progress {
    pub fn get(&self, id: &str) -> Option<bool> {
        let i = self.find(id).ok()?;
        Some(self.0[i].1)
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.find(id).is_ok()
    }

    pub fn insert(&mut self, id: String, right: bool) {
        match self.find(&id) {
            Ok(i) => self.0[i].1 = right,
            Err(i) => self.0.insert(i, (id, right)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn find(&self, id: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(id))
    }
}

impl serde::Serialize for Progress {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(id, right)| (id, right)))
    }
}

impl<'de> serde::Deserialize<'de> for Progress {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Answers;
        impl<'de> serde::de::Visitor<'de> for Answers {
            type Value = Progress;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of lesson ids and answers")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Progress, A::Error> {
                let mut progress = Progress::default();
                while let Some((id, right)) = map.next_entry()? {
                    progress.insert(id, right);
                }
                Ok(progress)
            }
        }
        d.deserialize_map(Answers)
    }
}

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

#[cfg(test)]
mod tests {
    use super::Progress;

    /// What earlier visits stored (a JSON object by id) reads back, and is written the same way.
    #[test]
    fn stored_progress_reads_and_writes_as_an_object_by_id() {
        let mut p: Progress =
            serde_json::from_str(r#"{"poison-pill": true, "ordering": false}"#).unwrap();
        assert_eq!(p.get("ordering"), Some(false));
        assert_eq!(p.get("poison-pill"), Some(true));
        assert_eq!(p.get("fan-out"), None);
        p.insert("ordering".into(), true);
        p.insert("fan-out".into(), false);
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"fan-out":false,"ordering":true,"poison-pill":true}"#
        );
        assert!(serde_json::from_str::<Progress>("[true]").is_err());
    }
}
