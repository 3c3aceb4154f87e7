//! Embedding options: what a course author can set, in the iframe's URL
//! (`?embed=1&lesson=poison-pill&lock=ordering,batch`) or in `mount(element, options)`.
//!
//! Both ways go through [`parse_option`], so one validator (fuzzed natively) says what is wrong
//! with a value: the option's name, what was expected and what was given.

use crate::permalink::Notice;

/// Controls that can be locked (shown, not usable) or hidden, with the CSS selector of their
/// elements, which a lock marks as locked (see `locks.rs`).
/// The first four run the clock, and a compact lesson always keeps them (see
/// [`EmbedOptions::keeping`]).
pub const CONTROLS: &[(&str, &str)] = &[
    ("play", "#play-pause"),                        // Play/Pause
    ("step", "#step"),                              // Step
    ("reset", "#reset"),                            // Reset
    ("speed", "#speed"),                            // the speed menu
    ("seed", "#seed"),                              // the seed menu
    ("kitchen", "#kitchen-online"),                 // the Kitchen online switch
    ("workers", ".stepper button"),                 // the Workers − and + buttons
    ("send", "#send-order"),                        // Send one order
    ("poison", "#send-poison"),                     // Send a poison pill
    ("spike", "#spike"),                            // Traffic spike ×10
    ("ordering", "#ordering"),                      // the Ordering menu
    ("wiring", "#mode"),                            // the Wiring menu (queue or HTTP)
    ("dlq", "#max-receives,#apply-platform-limit"), // the DLQ after menu, and the lens's Apply
    ("visibility", "#visibility"),                  // the Visibility timeout menu
    ("extend", "#extend"),                          // the Extend visibility switch
    ("batch", "#batch-size,#batch-failure"),        // the Batch size and Batch failure menus
    ("ack", "#ack"),                                // the Ack menu
    ("idempotent", "#idempotent"),                  // the Idempotent consumer switch
    ("timetravel", "#scrub"),                       // the time-travel scrub bar
    ("share", "#copy-link"),                        // Copy link
    ("lessons", "#lesson-picker"),                  // the lesson picker
    ("redrive", ".dlq-list button:not(.link)"),     // deploy the fix, redrive, discard
    ("system", "#system"),                          // the Systems menu
];

/// Whole regions that can be hidden (not locked). Names only: what each is stays in this
/// comment, not in the download.
pub const REGIONS: &[&str] = &[
    "lesson",         // the lesson panel
    "diagram",        // the diagram
    "controls",       // the controls panel
    "inspector",      // the message inspector
    "metrics",        // the metrics charts
    "dead-letters",   // the dead-letter queue list
    "log",            // the event log
    "platform",       // the platform lens and configuration export
    "compare",        // the A/B compare panel
    "stream",         // the partitioned log (Kafka model)
    "fanout",         // the fan-out (topic with subscriptions) panel
    "queue-vs-topic", // the queue vs topic side-by-side
    "exchanges",      // the RabbitMQ exchanges and bindings panel
    "redis",          // the Redis Streams panel
    "header",         // the site header and footer
];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn attr(self) -> Option<&'static str> {
        match self {
            Theme::Auto => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedOptions {
    /// Compact layout without site chrome, and height messages to the parent page.
    pub embed: bool,
    pub locked: Vec<&'static str>,
    pub hidden: Vec<&'static str>,
    /// Regions an embedded lesson shows besides the ones it needs (`show=metrics,log`, or
    /// `show=all` for the full page).
    pub shown: Vec<&'static str>,
    pub theme: Theme,
    /// Some(true): play from the start; Some(false): start paused; None: the default
    /// (free play runs, a lesson waits for the learner's prediction).
    pub autoplay: Option<bool>,
    /// Origins allowed to command the playground and to receive its messages, besides its own.
    pub origins: Vec<String>,
}

impl EmbedOptions {
    pub fn locked(&self, control: &str) -> bool {
        self.locked.contains(&control)
    }

    pub fn hidden(&self, name: &str) -> bool {
        self.hidden.contains(&name)
    }

    /// Whether a lesson in this embed gets the compact layout: only the regions it needs.
    pub fn compact(&self, in_lesson: bool) -> bool {
        self.embed && in_lesson && !self.shown.contains(&"all")
    }

    /// Whether the compact layout keeps `region`: the lesson needs it, or the author asked.
    pub fn keeps(&self, region: &str, needed: &[&str]) -> bool {
        !REGIONS.contains(&region) || needed.contains(&region) || self.shown.contains(&region)
    }

    /// These options with every control hidden but the ones that run the clock, those in
    /// `keep` (a compact lesson's regions) and those the author locked, which stay in view to
    /// say they are locked.
    pub fn keeping(&self, keep: &[String]) -> EmbedOptions {
        let mut out = self.clone();
        out.hidden.extend(
            CONTROLS[4..]
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| !keep.iter().any(|k| k == name) && !self.locked(name)),
        );
        out
    }

    /// Whether a message from `origin` may be obeyed (its own origin always may).
    pub fn allows(&self, origin: &str, own: &str) -> bool {
        origin == own || self.origins.iter().any(|o| o == origin)
    }
}

/// The option names this module reads, for the permalink decoder to pass on.
pub const KEYS: &[&str] = &[
    "embed", "lock", "hide", "show", "theme", "autoplay", "paused", "origin", "poster",
];

fn flag(value: &str) -> Option<bool> {
    match value {
        "" | "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

fn names(
    key: &str,
    value: &str,
    allowed: &[&'static str],
    out: &mut Vec<&'static str>,
    notices: &mut Vec<Notice>,
) {
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        // Regions and controls share the `dlq` idea; `batch-failure` and `batch-size` are
        // what the controls are labelled, so accept them for `batch`.
        let name = match name {
            "batch-failure" | "batch-size" => "batch",
            other => other,
        };
        match allowed.iter().find(|n| **n == name) {
            Some(n) => {
                if !out.contains(n) {
                    out.push(n);
                }
            }
            None => notices.push(Notice {
                param: key.into(),
                expected: format!("names from: {}", allowed.join(", ")),
                given: crate::permalink::truncate(name),
            }),
        }
    }
}

/// `scheme://host[:port]`, as browsers write `event.origin`.
fn is_origin(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains('/')
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

/// Reads one embedding option. Returns false if `key` is not an embedding option.
pub fn parse_option(
    options: &mut EmbedOptions,
    key: &str,
    value: &str,
    notices: &mut Vec<Notice>,
) -> bool {
    let mut note = |expected: &str| {
        notices.push(Notice {
            param: key.into(),
            expected: expected.into(),
            given: crate::permalink::truncate(value),
        })
    };
    match key {
        "embed" => match flag(value) {
            Some(b) => options.embed = b,
            None => note("1 or 0"),
        },
        // Click to load is done before the wasm starts (boot.js, playground.js): only checked here.
        "poster" => {
            if flag(value).is_none() {
                note("1 or 0")
            }
        }
        "autoplay" => match flag(value) {
            Some(b) => options.autoplay = Some(b),
            None => note("1 or 0"),
        },
        "paused" => match flag(value) {
            Some(b) => options.autoplay = Some(!b),
            None => note("1 or 0"),
        },
        "theme" => match value {
            "auto" => options.theme = Theme::Auto,
            "light" => options.theme = Theme::Light,
            "dark" => options.theme = Theme::Dark,
            _ => note("auto, light or dark"),
        },
        "lock" | "hide" => {
            let mut allowed: Vec<&'static str> = CONTROLS.iter().map(|(n, _)| *n).collect();
            let out = if key == "lock" {
                &mut options.locked
            } else {
                allowed.extend(REGIONS);
                &mut options.hidden
            };
            names(key, value, &allowed, out, notices)
        }
        "show" => {
            let mut allowed = REGIONS.to_vec();
            allowed.push("all");
            names(key, value, &allowed, &mut options.shown, notices)
        }
        "origin" => {
            for o in value.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                if is_origin(o) {
                    options.origins.push(o.to_owned());
                } else {
                    notices.push(Notice {
                        param: "origin".into(),
                        expected: "origins like https://course.example.org (scheme and host, no path), comma-separated".into(),
                        given: crate::permalink::truncate(o),
                    });
                }
            }
        }
        _ => return false,
    }
    true
}
