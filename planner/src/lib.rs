//! The studio's planner and builder: a scenario file (version 2, as `scenarios/*.json`
//! and the README describe) read, changed one step at a time, checked and planned into the
//! world the page runs.
//!
//! # Contract
//! - [`plan_file`] gives the plan as the JSON the page reads with `Plan::from_json`, or the
//!   reason the file does not plan, naming the field or node at fault, what was expected and
//!   what was given (the native `planner` command prints it, for trying a file).
//! - [`builder::step`] changes a file one step at a time for the studio's builder,
//!   [`builder::Session`] keeps the steps for Undo and Redo, and [`form::draw`] draws the
//!   controls for the next step. Nothing here panics, whatever the text or the step.
//! - Neither page carries this code: the studio runs it in a web worker (`src/main.rs`),
//!   fetched the first time an author opens the builder, so the page and the studio start
//!   without it.

pub mod builder;
pub mod export;
pub mod form;
pub mod switch;
pub mod timeline;
pub mod write;

/// The longest file read, in bytes: far above any real system (the largest built-in file is
/// 2.5 kB), low enough that a wrong file (a video, a log dump) is refused at once.
pub const MAX_FILE_BYTES: usize = 256 * 1024;

/// The plan of the scenario file `text`, as JSON; or why it does not plan. Read once and
/// planned once ([`builder::read`]).
pub fn plan_file(text: &str) -> Result<String, String> {
    let plan = builder::read(text)?.plan().map_err(|e| e.to_string())?;
    serde_json::to_string(&plan).map_err(|e| format!("plan: {e}"))
}

/// `value` as JSON, through the text writer the worker has anyway (for the plan): serde_json's
/// value serializer would add a second copy of each type's serialisation to the download.
pub(crate) fn json_of<T: serde::Serialize>(value: &T) -> serde_json::Value {
    let text = serde_json::to_string(value).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_default()
}

/// A node's, edge's or command's settings read back from JSON, through the engine's reader for
/// files (which the worker has anyway, with field paths in its errors), not a second
/// deserializer for values: the error names the path inside `value` and what was expected.
pub(crate) fn read_as<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
) -> Result<T, String> {
    queue_engine::parse_json(&value.to_string()).map_err(|e| match e {
        queue_engine::ScenarioError::Field {
            path,
            expected,
            given,
        } => {
            let at = if path.is_empty() {
                String::new()
            } else {
                format!("{path}: ")
            };
            // A custom error (an unknown unit) says in its own words what was wrong.
            if given == "(see message)" {
                format!("{at}expected {expected}")
            } else {
                format!("{at}expected {expected}; got {given}")
            }
        }
        other => other.to_string(),
    })
}

/// Why a text of `len` bytes is not read.
pub fn too_long(len: usize) -> String {
    format!(
        "file: expected a scenario file of at most {} kB; got {} kB",
        MAX_FILE_BYTES / 1024,
        len.div_ceil(1024)
    )
}
