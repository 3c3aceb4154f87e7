//! Where a lesson's text comes from in the browser. The page carries only the lesson index
//! (`lessons::INDEX`); each lesson is its own file, `lessons/ID.json`, next to the page, fetched
//! when it is opened, so nobody downloads every lesson to read one. A system's configuration
//! to copy comes the same way ([`export`]: `exports/NAME.txt`, when its box is opened).
//!
//! Contract:
//! - [`prepare`] runs before the app first renders: it reads the single-file build's inline
//!   lessons if there are any, and fetches the lesson the opening link or options name, so a
//!   link into a lesson (with its commands and moment) opens exactly as it was taken. On the
//!   studio page it also reads a lesson of one's own from the link (`lf`); one it cannot read
//!   is kept as the reason ([`refused`]) for the link's notices. It plans a system file of
//!   one's own there too (`sf`, [`crate::planner::open_link`]).
//! - [`fetch`] is for a lesson opened later (the menu, a host's `load-lesson`): the app calls it
//!   when the state asks (`Playground::fetching`) and answers with `LessonFetched` or
//!   `LessonFailed`, so the reducer itself does no I/O (and ignores an answer for a lesson
//!   the learner has since left for another).
//! - Files come from the folder of the page, or of `playground.js` for a script mount (the
//!   same origin as the wasm, so the CORS header that lets a course page load the wasm covers
//!   them too).
//! - Builds without `fetched-lessons` (native code, the browser tests) embed every lesson, and
//!   all of this finds them already loaded. The single-file build inlines every lesson, read
//!   here before the first render, and every configuration to copy, read when asked for.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::lessons;
use crate::state::Action;

/// The element in which the single-file build inlines every lesson, as one JSON array.
#[cfg(not(feature = "studio"))]
const INLINE_ID: &str = "queue-playground-lessons";

thread_local! {
    /// The folder lesson files are fetched from, ending in `/` ("" for the page's own).
    static BASE: RefCell<String> = const { RefCell::new(String::new()) };
    /// Whether the page's lessons were inline (the single-file build).
    static STANDALONE: RefCell<bool> = const { RefCell::new(false) };
    /// Why the opening link's own lesson file (`lf`) could not be read, for the link's notices.
    static REFUSED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Reads inlined lessons, remembers where the files are (`base`: a folder URL ending in `/`,
/// or "" for the page's own) and fetches the lesson `query` opens, if it needs fetching.
/// A failed fetch is not an error here: the state will ask again, and say why if it fails.
pub async fn prepare(query: &str, base: &str) {
    BASE.with(|b| *b.borrow_mut() = base.to_owned());
    // The single-file build is made from the playground's page, never from the studio's.
    #[cfg(not(feature = "studio"))]
    read_inline();
    let (link, _) = crate::permalink::decode(query);
    // Lessons of one's own open on the studio page only (the page's own download leaves their
    // reader out); elsewhere the state says where to open the link.
    #[cfg(feature = "studio")]
    if let Some(data) = link.lesson_file {
        let read = crate::packed::unpack(&data)
            .await
            .and_then(|text| lessons::store_authored(&text).map(|l| l.id.clone()));
        match read {
            Ok(id) => lessons::keep_packed(&id, data),
            Err(why) => REFUSED.with(|r| *r.borrow_mut() = Some(why)),
        }
    }
    // So do systems of one's own: planned before the first render, like a lesson's file.
    #[cfg(feature = "studio")]
    if link.system_file.is_some() {
        crate::planner::open_link().await;
    }
    if let Some(id) = link.lesson {
        let _ = fetch(&id).await;
    }
}

/// Why the opening link's lesson file was refused, if it was (asked once, by the state).
pub fn refused() -> Option<String> {
    REFUSED.with(|r| r.borrow_mut().take())
}

/// Whether this is the single-file build (its lessons are inline), which opens from disk with
/// nothing beside it.
pub fn standalone() -> bool {
    STANDALONE.with(|s| *s.borrow())
}

/// The single-file build opens from disk, where nothing can be fetched.
#[cfg(not(feature = "studio"))]
fn read_inline() {
    let Some(element) = crate::document().get_element_by_id(INLINE_ID) else {
        return;
    };
    STANDALONE.with(|s| *s.borrow_mut() = true);
    let text = element.text_content().unwrap_or_default();
    // The build wrote them from the files the native tests parse, so none is refused here.
    if let Ok(list) = serde_json::from_str::<Vec<&serde_json::value::RawValue>>(&text) {
        for lesson in list {
            let _ = lessons::store(lesson.get());
        }
    }
}

/// System `name`'s configuration to copy: the single-file build's own (an element
/// `queue-playground-export-NAME` holding the text), or else its file.
pub async fn export(name: &str) -> Result<String, String> {
    let inline = crate::document().get_element_by_id(&format!("queue-playground-export-{name}"));
    if let Some(text) = inline.and_then(|e| e.text_content()) {
        return Ok(text);
    }
    let url = BASE.with(|b| format!("{}exports/{name}.txt", b.borrow()));
    get(&url).await
}

/// The lesson `id`, from the store or else from its file.
pub async fn fetch(id: &str) -> Result<(), String> {
    if lessons::by_id(id).is_some() {
        return Ok(());
    }
    // An unknown id (a link's typo) is the link decoder's to report, with the known ones.
    if !lessons::known(id) {
        return Err(String::new());
    }
    let url = BASE.with(|b| format!("{}lessons/{id}.json", b.borrow()));
    let lesson = lessons::store(&get(&url).await?)?;
    if lesson.id == id {
        Ok(())
    } else {
        Err(format!("it holds {}", lesson.id))
    }
}

/// Fetches the lesson the state asks for, then tells the state how it went.
pub fn fetch_then(id: std::rc::Rc<str>, done: impl FnOnce(Action) + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        done(match fetch(&id).await {
            Ok(()) => Action::LessonFetched(id.to_string()),
            Err(why) => Action::LessonFailed(id.to_string(), why),
        })
    });
}

/// The text at `url`. A request that fails outright (offline, refused by CORS) says only
/// that: the browser's console already has the details.
async fn get(url: &str) -> Result<String, String> {
    let failed = |_| "the request failed".to_owned();
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(failed)?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    text.as_string().ok_or_else(|| "not text".into())
}
