//! The dead-letter list: each dead letter with why it failed and how often it was received,
//! and the two things to do about them (deploy the fix, redrive). A view function.

use queue_engine::{Command, MsgState, Token};
use yew::prelude::*;

/// What the dead-letter list shows and does.
pub struct DlqList<'a> {
    pub tokens: &'a [Token],
    pub total: u64,
    pub enabled: bool,
    pub oncommand: &'a Callback<Command>,
    pub onselect: &'a Callback<u64>,
    /// Locked by the embedding page: shown, not usable.
    pub locked: bool,
}

/// Dead letters with why they failed and how often they were received, and what to do with them.
/// A view function: the snapshot it lists is new on every step, so a component redrew anyway.
pub fn dlq_list(props: DlqList) -> Html {
    if !props.enabled {
        return html! { <p class="hint">{ "No DLQ: a message that keeps failing is retried forever. Turn on \"DLQ after\" in the controls." }</p> };
    }
    let send = |c: Command| {
        let on = props.oncommand.clone();
        Callback::from(move |_: MouseEvent| on.emit(c.clone()))
    };
    html! {
        <div class="dlq-list">
            <div class="control-row">
                <button type="button" id="deploy-fix" disabled={props.locked} onclick={send(Command::FixPoison)}
                    title="Ship the fix: the kitchen now handles the malformed orders">{ "Deploy the fix" }</button>
                <button type="button" id="redrive-all" disabled={props.locked || props.total == 0} onclick={send(Command::RedriveAll)}
                    title="Move every dead letter back to the queue, at the DLQ's redrive rate">{ "Redrive all" }</button>
                <span>{ format!("{} dead letters", props.total) }</span>
            </div>
            if props.tokens.is_empty() {
                { super::fixed(r#"<p class="hint">Empty.</p>"#) }
            } else {
                // Scrolls past a dozen rows rather than stretching the page; focusable so the
                // keyboard can scroll it too.
                <div class="dlq-scroll" tabindex="0" role="region" aria-label="Dead-lettered messages">
                <table>
                    <caption class="visually-hidden">{ "Dead-lettered messages" }</caption>
                    <thead><tr>{ super::heads(&["Message", "Why", "Receives", "Actions"]) }</tr></thead>
                    <tbody>
                        { for props.tokens.iter().map(|t| {
                            let why = match t.state { MsgState::DeadLettered { reason, .. } => reason.describe(), _ => String::new() };
                            let id = t.id;
                            let select = { let on = props.onselect.clone(); Callback::from(move |_: MouseEvent| on.emit(id)) };
                            html! {
                                <tr data-msg={id.to_string()}>
                                    <td><button type="button" class="link" onclick={select}>{ format!("#{id}") }</button></td>
                                    <td>{ why }</td>
                                    <td>{ t.receive_count }</td>
                                    <td>
                                        <button type="button" disabled={props.locked} onclick={send(Command::RedriveOne { message: id })}>{ "Redrive" }</button>
                                        <button type="button" disabled={props.locked} onclick={send(Command::Discard { message: id })}>{ "Discard" }</button>
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
                </div>
            }
        </div>
    }
}
