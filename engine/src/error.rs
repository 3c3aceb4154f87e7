//! The one error type at the engine's boundary: what is wrong with a scenario, said so that a
//! course author can fix it without reading our code.

use std::fmt;

/// A scenario (file, URL state or command) that the engine refuses, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The text is not JSON at all.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// A field has the wrong type, an unknown name, or a value out of range.
    Field {
        path: String,
        expected: String,
        given: String,
    },
}

impl ScenarioError {
    pub fn field(
        path: impl Into<String>,
        expected: impl Into<String>,
        given: impl fmt::Display,
    ) -> Self {
        ScenarioError::Field {
            path: path.into(),
            expected: expected.into(),
            given: given.to_string(),
        }
    }

    /// The dotted path of the offending field (`queue.visibility_timeout`, `producers[0].rate`), or
    /// `""` for a syntax error.
    pub fn path(&self) -> &str {
        match self {
            ScenarioError::Syntax { .. } => "",
            ScenarioError::Field { path, .. } => path,
        }
    }

    /// From serde's message, which already names what it expected and what it got.
    pub(crate) fn from_serde(path: String, message: &str) -> Self {
        let (given, expected) = match message.split_once(", expected ") {
            Some((given, expected)) => (given.to_owned(), expected.to_owned()),
            None => (String::from("(see message)"), message.to_owned()),
        };
        let given = given
            .trim_start_matches("invalid type: ")
            .trim_start_matches("invalid value: ")
            .to_owned();
        let path = if path == "." { String::new() } else { path };
        ScenarioError::Field {
            path,
            expected,
            given,
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Syntax {
                line,
                column,
                message,
            } => {
                write!(
                    f,
                    "not valid JSON at line {line}, column {column}: {message}"
                )
            }
            ScenarioError::Field {
                path,
                expected,
                given,
            } => {
                let at = if path.is_empty() { "scenario" } else { path };
                write!(f, "{at}: expected {expected}; got {given}")
            }
        }
    }
}

impl std::error::Error for ScenarioError {}
