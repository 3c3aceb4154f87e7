//! The platform lens: the main queue's settings in a real platform's names, defaults and limits,
//! what has no equivalent there, and the configuration to copy (Terraform, RabbitMQ
//! definitions, Kafka properties). Everything it says comes from `queue_engine::platform`.

use queue_engine::platform::{self, Platform};
use queue_engine::{Command, Scenario};
use yew::prelude::*;

use super::select_value;

#[derive(Properties, PartialEq)]
pub struct PlatformLensProps {
    pub settings: super::Same<Scenario>,
    /// Locked by the embedding page: the settings stay as the author set them.
    #[prop_or_default]
    pub locked: bool,
    pub oncommand: super::Sends<Command>,
}

/// The row a compact lesson's lens keeps in view: the setting whose meaning differs most. The
/// other rows and the export fold behind a box each (style.css), so folding needs no state.
const KEPT_ROW: &str = "DLQ after";

/// The fold switches, as text (`super::fixed`): they hold no state Yew knows of, and the same
/// text is never redrawn, so a switch stays as the reader set it across redraws.
const FOLD_ROWS: &str = r#"<label class="switch fold"><input type="checkbox" class="unfold" id="lens-all"> Show every setting</label>"#;
const FOLD_EXPORT: &str = r#"<label class="switch fold"><input type="checkbox" class="unfold" id="lens-export"> Show the configuration to copy</label>"#;

/// What the reader chose: the platform and the export shown. Kept in a cell that the component
/// redraws after changing, not in a state: each state of its own type is its own copy of Yew's
/// state code, which a cell and a redraw are not.
struct Lens {
    platform: Platform,
    export: String,
}

/// The current settings in a real platform's names and defaults, with what has no equivalent,
/// and the configuration to copy. Everything shown comes from `queue_engine::platform`.
#[component]
pub fn PlatformLens(props: &PlatformLensProps) -> Html {
    // The lens opens on the platform the queue is, so a quorum queue's lesson reads its
    // x-delivery-limit first and the Pub/Sub system its maxDeliveryAttempts.
    let lens = use_mut_ref(|| Lens {
        platform: Platform::of(props.settings.queue.profile()),
        export: "terraform".to_owned(),
    });
    let redraw = use_force_update();
    let platform = lens.borrow().platform;
    let rows = platform::lens(platform, &props.settings);
    let exports = platform::exports(&props.settings);
    let current = exports
        .iter()
        .find(|e| e.id == lens.borrow().export)
        .unwrap_or(&exports[0]);
    let onplatform = {
        let (lens, redraw) = (lens.clone(), redraw.clone());
        Callback::from(move |e: Event| {
            if let Some(platform) = Platform::from_id(&select_value(&e)) {
                lens.borrow_mut().platform = platform;
                redraw.force_update();
            }
        })
    };
    let onexport = {
        let lens = lens.clone();
        Callback::from(move |e: Event| {
            lens.borrow_mut().export = select_value(&e);
            redraw.force_update();
        })
    };
    let limit = platform.default_receive_limit();
    let apply = {
        let on = props.oncommand.clone();
        Callback::from(move |_: MouseEvent| on.emit(Command::SetMaxReceiveCount { count: limit }))
    };
    let oncopy = {
        let text = current.text.clone();
        Callback::from(move |e: MouseEvent| super::copy(&e, &text))
    };
    html! {
        <div class="platform-lens">
            <label>
                { "Platform " }
                <select id="platform" onchange={onplatform}>
                    { for Platform::ALL.iter().map(|p| html! {
                        <option value={p.id()} selected={*p == platform}>{ p.label() }</option>
                    }) }
                </select>
            </label>
            <div class="table-scroll">
                <table class="lens-table" id="lens-table">
                    <thead><tr>{ super::heads(&["Playground", "Platform setting", "Now", "Default", "Notes"]) }</tr></thead>
                    <tbody>
                        { for rows.iter().map(|r| html! {
                            <tr class={super::class(&[r.name.is_none().then_some("no-equivalent"), (r.ours != KEPT_ROW).then_some("more")])}>
                                <th scope="row">{ r.ours }</th>
                                <td>{ match &r.name {
                                    Some(n) => html! { <code>{ n }</code> },
                                    None => super::fixed("<em>no equivalent</em>"),
                                } }</td>
                                <td>{ &r.value }</td>
                                <td>{ &r.default }</td>
                                <td class="note">{ &r.note }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            { super::fixed(FOLD_ROWS) }
            <p>
                <button type="button" id="apply-platform-limit" disabled={props.locked} onclick={apply}
                    title="Set DLQ after to what this platform does when nobody configures it">
                    { "Set DLQ after to this platform's default: " }
                    { match limit {
                        Some(n) => format!("{n} receives"),
                        None => "off".to_owned(),
                    } }
                </button>
            </p>
            { super::fixed(FOLD_EXPORT) }
            <div class="lens-export">
            <label>
                { "Export " }
                <select id="export" onchange={onexport}>
                    { for exports.iter().map(|e| html! {
                        <option value={e.id} selected={e.id == current.id}>{ e.title }</option>
                    }) }
                </select>
            </label>
            { " " }
            { super::copy_button("copy-export", "Copy", None, false, oncopy) }
            <pre class="export" id="export-text" tabindex="0" aria-label={current.title}
                data-format={current.format}><code>{ &current.text }</code></pre>
            </div>
        </div>
    }
}
