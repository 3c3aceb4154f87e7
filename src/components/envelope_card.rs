use queue_engine::envelope::{field_doc, Binding, Envelope};
use yew::prelude::*;

#[derive(Properties)]
pub struct EnvelopeCardProps {
    /// Where the message sits, e.g. "orders · partition 2 · offset 41".
    pub title: AttrValue,
    pub envelope: Envelope,
    /// The protocol binding shown under the attributes (binary mode). None: the platform has
    /// no binding, so the event is shown stored structured, with `note` saying how.
    pub binding: Option<Binding>,
    #[prop_or_default]
    pub note: Option<AttrValue>,
    /// The element id of the card (tests and links find it by this).
    pub id: AttrValue,
}

/// A card redraws with its panel: the panel builds the envelope afresh each time, and comparing
/// it field by field cost more wasm (0.6 kB) than the small redraw it could save.
impl PartialEq for EnvelopeCardProps {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

/// One message's CloudEvents envelope, attribute by attribute with why each exists, and how it
/// travels in binary mode over `binding` (or stored structured where there is no binding): the
/// compact inspector for the model panels.
#[component]
pub fn EnvelopeCard(props: &EnvelopeCardProps) -> Html {
    let env = &props.envelope;
    let (note, wire) = match props.binding {
        Some(b) => {
            let r = env.binary(b);
            (
                r.note,
                r.metadata
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}\n"))
                    .collect::<String>(),
            )
        }
        None => (
            props.note.as_deref().unwrap_or_default().to_owned(),
            env.to_json_string(),
        ),
    };
    html! {
        <div class="record-detail" id={props.id.clone()}>
            <h3>{ props.title.clone() }</h3>
            <dl class="attrs">
                { for env.attributes().into_iter().filter(|(n, _)| *n != "data").map(|(name, value)| html! {
                    <>
                        <dt><code>{ name }</code></dt>
                        <dd>
                            <code>{ value.as_str().map_or(value.to_string(), str::to_owned) }</code>
                            if let Some(doc) = field_doc(name) {
                                <span class="hint">{ format!(" {}", doc.why) }</span>
                            }
                        </dd>
                    </>
                }) }
            </dl>
            <p class="note">{ note }</p>
            <pre class="export binding">{ wire }</pre>
        </div>
    }
}
