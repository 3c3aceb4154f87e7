//! The line under a built-in system or lesson that says on which real broker its behaviour was
//! checked and how much agreed, from `verify/checked.json` (built in by `build.rs` through
//! `verify/shown-on.json`). Renders nothing for what no broker run backs, so the page never
//! claims a check that was not made.

use yew::prelude::*;

/// `id` (a region or a lesson), a tab, and the line: one per id that has one.
const NOTES: &str = include_str!(concat!(env!("OUT_DIR"), "/checked.txt"));

/// The line for a page region (the built-in system it shows) or a lesson, if a broker run backs
/// it (or a note says why none does).
pub fn checked_note(id: &str) -> Option<&'static str> {
    NOTES
        .lines()
        .find_map(|l| l.strip_prefix(id)?.strip_prefix('\t'))
}

/// The line as a paragraph, or nothing. A plain function rather than a component: it has no
/// state, and a component per call site cost the page about a kilobyte.
pub fn checked_line(id: &str) -> Html {
    match checked_note(id) {
        Some(text) => html! { <p class="checked">{ text }</p> },
        None => Html::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::checked_note;

    /// The figures come from the broker runs: a RabbitMQ system names the broker, its version
    /// and the count; the Kafka log says it is not broker-checked; an id is matched whole.
    #[test]
    fn notes_name_the_broker_or_say_why_there_is_none() {
        let rmq = checked_note("exchanges").expect("the RabbitMQ system is checked");
        assert!(rmq.starts_with("Checked on RabbitMQ 3."), "{rmq}");
        assert!(rmq.contains(" messages agree in "), "{rmq}");
        let kafka = checked_note("stream").expect("the log says why it is not checked");
        assert!(
            kafka.starts_with("Not checked against a Kafka broker"),
            "{kafka}"
        );
        // A lesson that compares two platforms names both brokers, in the order it lists them.
        let both = checked_note("same-setting-different-platform").expect("checked on both");
        assert!(both.starts_with("Checked on RabbitMQ 3."), "{both}");
        assert!(both.contains("; moto (SQS) "), "{both}");
        assert_eq!(checked_note("exchange"), None);
        assert_eq!(checked_note("lesson"), None);
        assert_eq!(checked_note("no-such-system"), None);
    }
}
