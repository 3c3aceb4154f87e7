//! The lesson writer: a course author turns the open system into a lesson. They write a title,
//! steps and a checkpoint whose choices are conditions on the system's numbers; the writer
//! checks each field, writes the lesson file, opens it as a learner would see it, says whether
//! exactly one choice comes true, and offers the file to download and a link that carries it.
//!
//! It is on the studio page only (feature `studio`); the page course pages embed links there
//! ([`author_tools`]), so its download stays the learners'.
//!
//! The writer is plain HTML that Yew never redraws, with two listeners on its outermost element
//! (a submit and the clicks of its buttons). Its fields keep what the author typed, and what it
//! reports is written into its own elements: no component and no state, which keeps the
//! download small. The lesson file stays editable in its own field, so anything the form does
//! not offer (moments, regions, more settings) can be added by hand and previewed the same way.

use wasm_bindgen::JsCast;
use web_sys::{
    Element, FormData, HtmlElement, HtmlFormElement, HtmlInputElement, HtmlTextAreaElement,
};
use yew::prelude::*;

use super::find;
use crate::authoring::{verdict, Draft, System};
use crate::lessons::{self, Lesson};
use crate::panels::Panel;

/// Choices the form offers; a lesson needs two, and an empty row is skipped.
const CHOICES: usize = 4;

/// The writer's markup. The same text on every render, so Yew leaves it (and what the author
/// typed) alone.
const MARKUP: &str = concat!(
    r#"<summary>Write a lesson on this system</summary><form class="author-form"><p class="hint">The lesson runs this system from this seed; the engine's numbers pick the true choice.</p>"#,
    r#"<label>Title <input name="title" maxlength="80"></label><label>Goal: what the learner will see <input name="goal"></label><label>Steps, one per line <textarea name="steps" rows="3"></textarea></label><label>Question <input name="question"></label><label>Decide at <input name="until" value="1m" size="6"></label>"#,
    r#"<fieldset><legend>Choices: a label, and when it is true</legend>"#,
    r#"<div class="author-choice"><input name="label1" aria-label="Choice 1" placeholder="Choice 1"><input name="when1" aria-label="Choice 1 is true when" placeholder="true when: waiting >= 10 and lost <= 0"></div>"#,
    r#"<div class="author-choice"><input name="label2" aria-label="Choice 2" placeholder="Choice 2"><input name="when2" aria-label="Choice 2 is true when" placeholder="true when"></div>"#,
    r#"<div class="author-choice"><input name="label3" aria-label="Choice 3" placeholder="Choice 3"><input name="when3" aria-label="Choice 3 is true when" placeholder="true when"></div>"#,
    r#"<div class="author-choice"><input name="label4" aria-label="Choice 4" placeholder="Choice 4"><input name="when4" aria-label="Choice 4 is true when" placeholder="true when"></div>"#,
    r#"<p class="hint author-names"></p></fieldset><label>Reveal, after the run; {name} prints a number <textarea name="reveal" rows="2"></textarea></label>"#,
    r#"<button type="submit" class="primary">Write and preview</button></form>"#,
    r#"<label class="author-file">The lesson file, which you may edit <textarea id="author-file" rows="10" spellcheck="false"></textarea></label>"#,
    r#"<button type="button" id="author-preview">Preview the file</button><p id="author-status" role="status"></p>"#,
    r#"<a id="author-download" hidden></a>"#,
    r#"<div class="share" hidden><button type="button" id="author-copy">Copy lesson link</button><span class="copy-status" role="status"></span><input id="author-link" type="text" readonly aria-label="Link to this lesson" size="30"></div>"#,
);

/// What the writer works on: the open system, the open lesson (writing again while previewing
/// one's own keeps its system), and the page a link opens (a mounted playground's own
/// index.html; None: this page).
#[derive(Clone)]
pub struct Writing {
    pub panel: Option<Panel>,
    pub name: String,
    pub seed: u64,
    pub lesson: Option<&'static Lesson>,
    pub page: Option<AttrValue>,
}

impl Writing {
    fn system(&self) -> System {
        match self.lesson {
            Some(lesson) if !lessons::known(&lesson.id) => System::of(lesson),
            _ => System::open(self.panel, &self.name, self.seed),
        }
    }
}

/// What a course author is offered under the lesson menu. The studio page (feature `studio`)
/// has the lesson writer itself; the playground's own page, which course pages embed, links
/// there instead, so that none of the writer's code is in its download. The single-file build
/// has no studio beside it, and offers nothing.
pub fn author_tools(writing: Writing, onopen: Callback<Option<String>>) -> Html {
    if cfg!(feature = "studio") {
        return html! { <>
            { open_file(&writing) }
            { lesson_author(writing, onopen) }
        </> };
    }
    if writing.lesson.is_some() || crate::lesson_files::standalone() {
        return Html::default();
    }
    // Beside this page: its own folder, or a mounted playground's (`…/index.html`).
    let folder = writing
        .page
        .as_deref()
        .map_or("", |p| p.trim_end_matches("index.html"));
    let href = format!(
        "{folder}studio/index.html?s={}&seed={}",
        writing.name, writing.seed
    );
    html! { <p class="author-link"><a {href}>{ "Write a lesson on this system ↗" }</a></p> }
}

/// The studio's builder, first in the author's tools.
#[cfg(feature = "studio")]
fn open_file(_: &Writing) -> Html {
    super::system_file()
}
#[cfg(not(feature = "studio"))]
fn open_file(_: &Writing) -> Html {
    Html::default()
}

/// The lesson writer, opening lessons it wrote with `onopen`.
fn lesson_author(writing: Writing, onopen: Callback<Option<String>>) -> Html {
    let onsubmit = {
        let (writing, onopen) = (writing.clone(), onopen.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some((root, form)) = within(&e).zip(
                e.target()
                    .and_then(|t| t.dyn_into::<HtmlFormElement>().ok()),
            ) else {
                return;
            };
            let Ok(data) = FormData::new_with_form(&form) else {
                return;
            };
            let field = |name: &str| data.get(name).as_string().unwrap_or_default();
            let draft = Draft {
                title: field("title"),
                goal: field("goal"),
                steps: field("steps"),
                question: field("question"),
                until: field("until"),
                choices: (1..=CHOICES)
                    .map(|n| (field(&format!("label{n}")), field(&format!("when{n}"))))
                    .collect(),
                reveal: field("reveal"),
            };
            let system = writing.system();
            let names = names(&system);
            match draft.write(
                &system,
                &names.iter().map(String::as_str).collect::<Vec<_>>(),
            ) {
                Ok(text) => {
                    if let Some(area) = find::<HtmlTextAreaElement>(&root, "#author-file") {
                        area.set_value(&text);
                    }
                    preview(&root, text, &writing, &onopen);
                }
                Err(wrong) => report(&root, &format!("Not written: {wrong}"), None),
            }
        })
    };
    let onclick = Callback::from(move |e: MouseEvent| {
        let Some(root) = within(&e) else {
            return;
        };
        let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
        match target
            .as_ref()
            .and_then(|t| t.closest("button, summary").ok().flatten())
            .map(|b| b.id())
        {
            Some(id) if id == "author-preview" => {
                if let Some(area) = find::<HtmlTextAreaElement>(&root, "#author-file") {
                    preview(&root, area.value(), &writing, &onopen);
                }
            }
            Some(id) if id == "author-copy" => {
                if let Some(link) = find::<HtmlInputElement>(&root, "#author-link") {
                    super::copy(&e, &link.value());
                }
            }
            // Opening the writer: which numbers a choice can test.
            Some(id) if id.is_empty() => {
                if let Some(hint) = find::<Element>(&root, ".author-names") {
                    let names = names(&writing.system()).join(", ");
                    hint.set_text_content(Some(&format!("Numbers a choice can test: {names}")));
                }
            }
            _ => {}
        }
    });
    html! {
        <details class="author" id="lesson-author" {onsubmit} {onclick}>
            { super::fixed(MARKUP) }
        </details>
    }
}

/// The numbers a checkpoint on `system` can test, which do not change as it runs.
fn names(system: &System) -> Vec<String> {
    lessons::numbers_at(system.model, &system.scenario, queue_engine::Millis::ZERO)
        .map(|n| n.names().into_iter().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The writer an event happened in.
fn within(e: &Event) -> Option<Element> {
    super::around(e, "#lesson-author")
}

/// Says `status`, and offers the lesson `file` (id and text) to download, or nothing.
fn report(root: &Element, status: &str, file: Option<(&str, &str)>) {
    if let Some(p) = find::<Element>(root, "#author-status") {
        p.set_text_content(Some(status));
    }
    if let Some(a) = find::<HtmlElement>(root, "#author-download") {
        if let Some((id, text)) = file {
            let href = format!(
                "data:application/json;charset=utf-8,{}",
                js_sys::encode_uri_component(text)
            );
            let _ = a.set_attribute("href", &href);
            let _ = a.set_attribute("download", &format!("{id}.json"));
            a.set_text_content(Some(&format!("Download {id}.json")));
        }
        a.set_hidden(file.is_none());
    }
    // A link is offered once it is packed (below), for this file only.
    if let Some(share) = find::<HtmlElement>(root, ".share") {
        share.set_hidden(true);
    }
}

/// Stores, checks and opens a lesson file, then packs it into a link.
fn preview(root: &Element, text: String, writing: &Writing, onopen: &Callback<Option<String>>) {
    let lesson = match lessons::store_authored(&text) {
        Ok(lesson) => lesson,
        Err(why) => return report(root, &format!("Not read: {why}"), None),
    };
    let id = lesson.id.clone();
    report(
        root,
        &verdict(lesson).unwrap_or_else(|why| why),
        Some((&id, &text)),
    );
    onopen.emit(Some(id.clone()));
    let (root, page) = (root.clone(), writing.page.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(data) = crate::packed::pack(&text).await else {
            return;
        };
        let link = format!(
            "{}?l={id}&lf={data}",
            crate::host::page_url(page.as_deref())
        );
        lessons::keep_packed(&id, data);
        if let Some(field) = find::<HtmlInputElement>(&root, "#author-link") {
            field.set_value(&link);
        }
        if let Some(share) = find::<HtmlElement>(&root, ".share") {
            share.set_hidden(false);
        }
    });
}
