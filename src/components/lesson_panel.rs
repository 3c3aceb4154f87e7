//! The lesson region: the picker with each lesson's progress, the steps, the moment the run is
//! paused at, and the "predict, then run" checkpoint with its verdict. It shows; the verdict
//! itself is judged from the engine's numbers (`crate::lessons`).

use queue_engine::Millis;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::checked_line;
use crate::lessons;
use crate::progress::Progress;
use crate::state::Check;

#[derive(Properties, PartialEq)]
pub struct LessonPanelProps {
    /// The lesson being followed (None: free play).
    pub lesson_id: Option<AttrValue>,
    /// Which version of that lesson: an author's lesson keeps its id from one preview to the
    /// next, and each version is read anew (the address of the one loaded).
    #[prop_or_default]
    pub edition: usize,
    pub check: Option<super::Same<Check>>,
    pub progress: super::Same<Progress>,
    pub now: Millis,
    /// The run is playing: a moment it stopped at says so only while it waits there.
    #[prop_or_default]
    pub playing: bool,
    /// The author locked the picker: the learner stays on this lesson.
    #[prop_or_default]
    pub locked: bool,
    /// The lesson being fetched, which the menu shows as picked until it arrives. When it
    /// cannot be fetched the menu goes back to the open lesson: a value that changes back
    /// is what makes Yew set the select again, where the learner's pick had moved it.
    #[prop_or_default]
    pub fetching: Option<AttrValue>,
    pub onpick: super::Sends<Option<String>>,
    pub onpredict: super::Sends<String>,
}

/// The lesson picker, the lesson's steps and its "predict, then run" checkpoint. The verdict
/// comes from the engine's numbers at the checkpoint time (see `lessons`), never from this view.
#[component]
pub fn LessonPanel(props: &LessonPanelProps) -> Html {
    let lesson = props.lesson_id.as_deref().and_then(lessons::by_id);
    // The chosen answer's id, empty before a choice (see `ComparePanel`'s variant for why not
    // an `Option`).
    let choice = use_state(String::new);
    let verdict_at = use_node_ref();
    {
        // A new lesson (or a fresh start of this one) clears the half-made prediction.
        let choice = choice.clone();
        let fresh = props.check.is_none();
        // The verdict prints the numbers the checkpoint asked about. On a phone it can arrive
        // below the fold (the running lesson was folded when the learner last scrolled), so it
        // is brought into view; "nearest" leaves a page where it is already on screen alone.
        // One effect for both: each hook's type is its own copy of Yew's effect code.
        let answered = props.check.as_ref().is_some_and(|c| c.verdict.is_some());
        let verdict_at = verdict_at.clone();
        use_effect_with(
            (props.lesson_id.clone(), fresh, answered),
            move |(_, fresh, answered)| {
                // Only when there is something to clear: effects can run a moment after the
                // render, and must not undo a choice the learner made in between.
                if *fresh && !choice.is_empty() {
                    choice.set(String::new());
                }
                if let Some(el) = verdict_at.cast::<web_sys::Element>().filter(|_| *answered) {
                    let options = web_sys::ScrollIntoViewOptions::new();
                    options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                    el.scroll_into_view_with_scroll_into_view_options(&options);
                }
            },
        );
    }
    let all = lessons::INDEX;
    let answered = all
        .iter()
        .filter(|(id, _)| props.progress.contains_key(id))
        .count();
    let onpick = {
        let on = props.onpick.clone();
        Callback::from(move |e: Event| {
            let value = super::select_value(&e);
            on.emit((!value.is_empty()).then_some(value));
        })
    };
    let picked = props.fetching.as_deref().or(lesson.map(|l| l.id.as_str()));
    let mark = |id: &str| match props.progress.get(id) {
        Some(true) => "✓ ",
        Some(false) => "◐ ",
        None => "○ ",
    };
    let picker = html! {
        <div class="lesson-picker">
            <label title={if props.locked { "This page's author chose the lesson" } else { "Guided lessons: each ends with a prediction the engine checks" }}>
                { "Lesson " }
                <select id="lesson-picker" onchange={onpick} disabled={props.locked}>
                    <option value="" selected={picked.is_none()}>{ "Free play: no lesson" }</option>
                    { for all.iter().map(|&(id, title)| html! {
                        <option value={id} selected={picked == Some(id)}>
                            { format!("{}{title}", mark(id)) }
                        </option>
                    }) }
                    // Only the studio opens lessons of one's own.
                    if let Some(own) = lesson.filter(|l| cfg!(feature = "studio") && !lessons::known(&l.id)) {
                        <option value={own.id.clone()} selected=true>{ format!("✎ Your lesson: {}", own.title) }</option>
                    }
                </select>
            </label>
            <span class="lesson-progress" id="lesson-progress">
                { format!("{answered} of {} answered", all.len()) }
                { super::fixed(r#"<span class="hint"> (✓ predicted right, ◐ answered, ○ not yet)</span>"#) }
            </span>
        </div>
    };
    let Some(lesson) = lesson else {
        return html! { <div class="lesson">{ picker }</div> };
    };
    let cp = &lesson.checkpoint;
    let running = props.check.as_ref().is_some_and(|c| c.verdict.is_none());
    let verdict = props.check.as_ref().and_then(|c| c.verdict.clone());
    let answered_now = verdict.is_some();
    let radio_name = format!("prediction-{}", lesson.id);
    let onrun = {
        let on = props.onpredict.clone();
        let choice = choice.clone();
        Callback::from(move |_: MouseEvent| {
            if !choice.is_empty() {
                on.emit((*choice).clone());
            }
        })
    };
    let go_on = {
        let on = props.onpredict.clone();
        let predicted = props.check.as_ref().map(|c| c.predicted.clone());
        Callback::from(move |_: MouseEvent| on.emit(predicted.clone().unwrap_or_default()))
    };
    let again = {
        let on = props.onpick.clone();
        let id = lesson.id.clone();
        Callback::from(move |_: MouseEvent| on.emit(Some(id.clone())))
    };
    let label_of = |id: &str| lesson.choice(id).map_or(id.to_owned(), |c| c.label.clone());
    html! {
        <div class="lesson">
            { picker }
            <h3 class="lesson-title">{ &lesson.title }</h3>
            <p class="lesson-goal">{ &lesson.goal }</p>
            { checked_line(&lesson.id) }
            <ol class="lesson-steps">
                { for lesson.steps.iter().map(|s| html! { <li>{ s }</li> }) }
            </ol>
            <div class="lesson-check">
            <fieldset class="checkpoint" id="checkpoint" disabled={running || answered_now}>
                { super::fixed("<legend>Predict, then run</legend>") }
                <p class="checkpoint-question">{ &cp.question }</p>
                { for cp.choices.iter().map(|c| {
                    let set = {
                        let choice = choice.clone();
                        let id = c.id.clone();
                        Callback::from(move |e: Event| {
                            if e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()).is_some_and(|i| i.checked()) {
                                choice.set(id.clone());
                            }
                        })
                    };
                    let checked = props.check.as_ref().map_or(*choice == c.id, |k| k.predicted == c.id);
                    html! {
                        <label class="choice">
                            <input type="radio" name={radio_name.clone()} value={c.id.clone()} {checked} onchange={set} />
                            { " " }{ &c.label }
                        </label>
                    }
                }) }
                <button type="button" id="run-check" class="primary" disabled={choice.is_empty() || running || answered_now} onclick={onrun}>
                    { format!("Run to t = {} and check", cp.until) }
                </button>
            </fieldset>
            if running {
                <p class="checkpoint-running" role="status">{ format!("Running to t = {}… (now {})", cp.until, props.now) }</p>
                if let Some(m) = lesson.moment(props.now) {
                    <p class="moment" id="moment" role="status">
                        <strong>{ format!("At t = {}: ", m.at) }</strong>{ &m.say }
                        if m.at == props.now && !props.playing {
                            { " Paused here. " }
                            // Play is further down on a phone; going on is running on to
                            // the checkpoint with the same prediction.
                            <button type="button" id="go-on" onclick={go_on}>{ "Go on ▸" }</button>
                        }
                    </p>
                }
            }
            if let Some(v) = verdict {
                <div id="verdict" ref={verdict_at.clone()} class={super::class(&[Some("verdict"), Some(if v.correct() { "right" } else { "wrong" })])} role="status"
                    data-correct={v.correct().to_string()} data-actual={v.actual.clone().unwrap_or_default()}>
                    { super::fixed(if v.correct() {
                        r#"<p class="verdict-head">✓ The engine agrees with your prediction.</p>"#
                    } else {
                        r#"<p class="verdict-head">✗ Not this time.</p>"#
                    }) }
                    <p class="predicted">{ format!("You predicted: {}.", label_of(&v.predicted)) }</p>
                    if let Some(actual) = &v.actual {
                        if !v.correct() {
                            <p>{ format!("What happened: {}.", label_of(actual)) }</p>
                        }
                    }
                    <p class="verdict-numbers">{ format!("At t = {}: {}", v.at, v.text) }</p>
                    <button type="button" id="try-again" onclick={again}>{ "Start this lesson again" }</button>
                </div>
            }
            </div>
        </div>
    }
}
