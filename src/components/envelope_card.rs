use queue_engine::envelope::{field_doc, Binding, Envelope};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EnvelopeCardProps {
    /// Where the message sits, e.g. "orders · partition 2 · offset 41".
    pub title: AttrValue,
    pub envelope: Envelope,
    /// The protocol binding shown under the attributes (binary mode).
    pub binding: Binding,
    /// The element id of the card (tests and links find it by this).
    pub id: AttrValue,
}

/// One message's CloudEvents envelope, attribute by attribute with why each exists, and how it
/// travels in binary mode over `binding`: the compact inspector for the model panels.
#[component]
pub fn EnvelopeCard(props: &EnvelopeCardProps) -> Html {
    let env = &props.envelope;
    let wire = env.binary(props.binding);
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
            <p class="note">{ &wire.note }</p>
            <pre class="export binding">{
                wire.metadata.iter().map(|(k, v)| format!("{k}: {v}\n")).collect::<String>()
            }</pre>
        </div>
    }
}
