use queue_engine::envelope::{field_doc, Binding, Envelope};
use yew::prelude::*;

/// One message's CloudEvents envelope, attribute by attribute with why each exists, and how it
/// travels in binary mode over `binding`, or, with no binding on its platform, stored structured
/// with `note` saying how: the compact inspector for the model panels. `id` is the card's element
/// id (tests and links find it by this); `title` says where the message sits, e.g. "orders ·
/// partition 2 · offset 41".
///
/// A view function, not a component: its panel builds the envelope afresh each time, so a
/// component redrew with it anyway, and cost the page a kilobyte of Yew's code.
pub fn envelope_card(
    id: &'static str,
    title: String,
    env: &Envelope,
    binding: Option<Binding>,
    note: &str,
) -> Html {
    let (note, wire) = match binding {
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
        None => (note.to_owned(), env.to_json_string()),
    };
    html! {
        <div class="record-detail" {id}>
            <h3>{ title }</h3>
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
