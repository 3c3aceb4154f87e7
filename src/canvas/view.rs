//! The canvas component and its drawing: a world's [`Graph`] as one SVG string of boxes and
//! edges, the tokens and flow figures over it, and the zoom buttons. Every number in a box is
//! read from the world at the frame's time ([`super::numbers`]); the drawing is redrawn only
//! when its text changes, and tokens move on the compositor, not the main thread.

use std::cell::RefCell;
use std::fmt::Write;
use std::ops::Range;

use queue_engine::{EdgeKind, Millis, World};
use yew::prelude::*;

use super::flow::{crossed, letter, Flow, Way};
use super::graph::{graph, Graph, Place, Role, Source};
use super::numbers::{aside, lines};
use super::zoom::{fit, percent, step};
use crate::components::{compact, Same};
use crate::panels::{Panel, PanelHandle};

/// A box's size and the grid's pitch, in SVG units. A box has four lines (kind, name and two
/// numbers); a dead-letter queue has two (its kind with its one number, then its name), and a
/// row of nothing else is that much shorter, so a system with a DLQ under every queue is not
/// twice as tall as its queues.
const W: i32 = 168;
const H: i32 = 58;
const H_DEAD: i32 = 32;
/// How far a flow figure (`1.2k/s`) reaches left of where it ends.
const FIGURE_W: i32 = 34;
/// Room between rows, where an edge that skips a column runs.
const GAP_Y: i32 = 12;
/// The left edge of each column. A column whose edges carry keys (14 characters, as
/// `payment.failed`: a producer's or a router's) leaves room for them after it; others leave a
/// narrow gap, so a system with consumers fits a course page without scrolling.
fn lefts(g: &Graph) -> Vec<i32> {
    let mut x = 0;
    (0..g.cols.max(1))
        .map(|c| {
            let left = x;
            let keyed = g.links.iter().any(|l| {
                let (a, b) = (&g.places[l.from], &g.places[l.to]);
                l.label.is_some() && a.col == c && b.col != c
            });
            x += W + if keyed { 92 } else { 36 };
            left
        })
        .collect()
}

fn box_height(p: &Place) -> i32 {
    if p.role == Role::DeadLetter {
        H_DEAD
    } else {
        H
    }
}

/// The top of each row, and the drawing's height below the last: a row holding only
/// dead-letter queues takes their height, any other the full one.
fn row_tops(g: &Graph) -> Vec<i32> {
    let mut tops = Vec::with_capacity(usize::from(g.rows) + 1);
    let mut y = 0;
    for r in 0..g.rows.max(1) {
        tops.push(y);
        let dead_only = g
            .places
            .iter()
            .filter(|p| p.row == r)
            .all(|p| p.role == Role::DeadLetter);
        y += if dead_only { H_DEAD } else { H } + GAP_Y;
    }
    tops.push(y);
    tops
}

/// Which world a canvas draws.
#[derive(Clone, PartialEq)]
pub enum Shown {
    /// A panel's system, brought to the canvas's time; what it is of in words is
    /// [`Panel::picture`].
    Panel(PanelHandle, Panel),
    /// The main queue's world, as the playground has run it. The version changes whenever the
    /// world may have (the playground's `panel_version`), so the canvas redraws with the
    /// metrics and its numbers agree with theirs.
    Main(Same<RefCell<World>>, u64),
}

#[derive(Properties, PartialEq)]
pub struct CanvasProps {
    /// The playground's simulated time: the canvas draws the world as it is then.
    pub now: Millis,
    pub shown: Shown,
    /// A lesson's moment's words (`redis orders`: a region, then what in it to look at): the
    /// node they name is outlined and pointed at.
    #[prop_or_default]
    pub look: Option<String>,
}

fn edge_word(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Publish => "publishes to",
        EdgeKind::Bind => "routes to",
        EdgeKind::Subscribe => "is read by",
        EdgeKind::DeadLetter => "dead-letters to",
        EdgeKind::Reply => "replies to",
        EdgeKind::Write => "writes to",
        EdgeKind::Call => "calls",
    }
}

/// The path of an edge: right side to left side across columns, bottom to top within one.
/// An edge that skips a column runs along the gap beside its target's row, so it never
/// crosses a box in between. The label sits just before the arrow, where each target has
/// its own.
fn path(
    g: &Graph,
    (xs, tops): (&[i32], &[i32]),
    from: usize,
    to: usize,
) -> (String, i32, i32, (i32, i32), [i32; 8]) {
    let (a, b) = (&g.places[from], &g.places[to]);
    let (ax, ay, ah) = (
        xs[usize::from(a.col)],
        tops[usize::from(a.row)],
        box_height(a),
    );
    let (bx, by, bh) = (
        xs[usize::from(b.col)],
        tops[usize::from(b.row)],
        box_height(b),
    );
    // Down from a box to the one under it (a dead-letter queue), else from a box's right side
    // to the left side of one in a later column.
    let down = a.col == b.col;
    let (x1, y1, x2, y2) = if down {
        (ax + W / 2, ay + ah, ax + W / 2, by - 2)
    } else {
        (ax + W, ay + ah / 2, bx - 2, by + bh / 2)
    };
    let (d, stops) = if b.col > a.col + 1 {
        // The gap below the target's row when the edge comes from below or level, else above.
        let lane = if a.row >= b.row {
            by + bh + GAP_Y / 2
        } else {
            by - GAP_Y / 2
        };
        let (in_x, out_x) = (ax + W, xs[usize::from(b.col) - 1] + W);
        (
            format!(
                "M{x1},{y1} C{in_x},{y1} {x1},{lane} {in_x},{lane} L{out_x},{lane} C{x2},{lane} {out_x},{y2} {x2},{y2}"
            ),
            [x1, y1, in_x, lane, out_x, lane, x2, y2],
        )
    } else {
        let mid = (x1 + x2) / 2;
        // The curve at a third and two thirds of the way (a cubic Bézier's points at t = 1/3
        // and 2/3, in integers): a token's stops on it. Straight down, the curve is a line.
        (
            format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"),
            [
                x1,
                y1,
                (8 * x1 + 18 * mid + x2) / 27,
                (20 * y1 + 7 * y2) / 27,
                (x1 + 18 * mid + 8 * x2) / 27,
                (7 * y1 + 20 * y2) / 27,
                x2,
                y2,
            ],
        )
    };
    if down {
        // Labels end where they are placed: this one ends left of the short edge, not across it.
        let mid = (y1 + by) / 2 + 4;
        return (d, x1 - 5, mid, (x1 + 5 + FIGURE_W, mid), stops);
    }
    // The flow figure goes under the arrow where the key goes over it: each target has its own.
    (d, x2 - 6, y2 - 5, (x2 - 6, y2 + 11), stops)
}

/// The drawing's `viewBox` and width, shared by the boxes and the tokens above them so the
/// two line up at any scale. The last row keeps its gap below, where an edge may run.
fn frame(width: i32, tops: &[i32]) -> String {
    let height = tops[tops.len() - 1] + 4;
    format!(r#"viewBox="-2 -2 {width} {height}" width="{width}""#)
}

/// What moved since the last frame, drawn over the boxes (see [`super::flow`]). A token is an
/// HTML element in a `foreignObject`, so it scales with the drawing, and travels its edge
/// through four stops on it by a CSS `transform` animation, which the compositor runs: an
/// SVG token moved by `offset-path` cost the main thread a paint every frame, a third of it
/// at 1x on the pizza shop. Its delay is its age, so a redraw puts it back where it was. A
/// busy edge shows its flow per simulated second instead; the other edges' figures are there
/// for a reader who asked for less motion. Hidden from screen readers, which read the numbers
/// in the boxes.
pub fn overlay(drawn: &Drawn, g: &Graph, flow: &Flow, real: f64) -> String {
    let mut out = format!(r#"<svg class="tokens" {} aria-hidden="true">"#, drawn.frame);
    for (i, (_, (x, y))) in drawn.edges.iter().enumerate() {
        let Some(rate) = flow.rate(i) else { continue };
        let figure = match rate {
            0 => "&lt;1".to_owned(),
            r => compact(r),
        };
        let quiet = if flow.busy(i) { "" } else { " quiet" };
        let _ = write!(
            out,
            r#"<text class="flow{quiet}" x="{x}" y="{y}" text-anchor="end">{figure}/s</text>"#
        );
    }
    out.push_str(r#"<foreignObject width="100%" height="100%">"#);
    for t in &flow.tokens {
        let (Some(link), Some((stops, _))) = (g.links.get(t.link), drawn.edges.get(t.link)) else {
            continue;
        };
        let back = t.way != Way::Along;
        let class = match (back, link.kind) {
            (true, _) => " back",
            (_, EdgeKind::DeadLetter) => " dead",
            _ => "",
        };
        let _ = write!(out, r#"<i class="tok{class}" style=""#);
        // An ack or a requeue travels the edge backwards: its first stop is the edge's last.
        for (i, v) in stops.iter().enumerate() {
            let axis = if i % 2 == 0 { 'x' } else { 'y' };
            let stop = if back { 3 - i / 2 } else { i / 2 };
            let _ = write!(out, "--{axis}{stop}:{v}px;");
        }
        let _ = write!(
            out,
            r#"animation-delay:{}ms">{}"#,
            (t.born - real).round() as i64,
            letter(link.kind, t.way)
        );
        if t.count > 1 {
            let _ = write!(out, " {}", compact(t.count));
        }
        out.push_str("</i>");
    }
    out.push_str("</foreignObject></svg>");
    out
}

/// `<`, `>`, `&` and `"` as entities: node names and keys come from files and links.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The drawing as SVG text. One string, not a tree of Yew elements: the page redraws it only
/// when it changed, and it costs a fraction of the bytes a `html!` tree of every box would.
/// `id` tells this drawing's arrowhead from another canvas's on the same page.
pub fn svg(w: &World, g: &Graph, label: &str, id: &str) -> String {
    draw(w, g, label, id, "").svg
}

/// The drawing ([`svg`]), with each edge's path and the place of its flow figure, which the
/// tokens over it ([`overlay`]) follow: laid out once for both.
pub struct Drawn {
    pub svg: String,
    /// The drawing's width at full size, in CSS pixels.
    pub width: i32,
    frame: String,
    /// Each edge's four stops for a token (start, a third, two thirds, end) and the place of
    /// its flow figure.
    edges: Vec<([i32; 8], (i32, i32))>,
    /// Where in `svg` each box's lines that change with time are (its kind's line, which may
    /// carry a count, and its two lines of numbers), box by box.
    figures: Vec<Range<usize>>,
}

/// `look`: words naming nodes to outline and point at (a lesson's moment's).
pub fn draw(w: &World, g: &Graph, label: &str, id: &str, look: &str) -> Drawn {
    let (xs, tops) = (lefts(g), row_tops(g));
    // The drawing's width at full size, in CSS pixels.
    let width = xs[xs.len() - 1] + W + 4;
    let frame = frame(width, &tops);
    let mut edges = Vec::with_capacity(g.links.len());
    let mut figures = Vec::with_capacity(3 * g.places.len());
    let mut out = format!(
        r#"<svg {} role="group" aria-label="{}"><defs><marker id="arrow-{id}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>"#,
        frame,
        esc(label)
    );
    // The last publish to an exchange: its bindings and the queues that got a copy are ticked.
    let last = w.last_publish();
    let got = |p: &Place| matches!((p.role, p.source), (Role::Queue, Source::Member(m)) if last.is_some_and(|l| l.to.contains(&m)));
    for l in &g.links {
        let (d, lx, ly, at, stops) = path(g, (&xs, &tops), l.from, l.to);
        let (from, to) = (&g.places[l.from], &g.places[l.to]);
        let hit =
            l.kind == EdgeKind::Bind && got(to) && last.is_some_and(|p| p.exchange == from.name);
        let class = match (l.kind, hit) {
            (EdgeKind::DeadLetter, _) => "edge dead",
            (_, true) => "edge hit",
            _ => "edge",
        };
        let (a, b) = (esc(&from.name), esc(&to.name));
        let label = l.label.as_deref().map(esc).unwrap_or_default();
        let _ = write!(
            out,
            r#"<g class="{class}"><title>{a} {} {b}</title><path d="{d}" marker-end="url(#arrow-{id})"/><text x="{lx}" y="{ly}" class="label" text-anchor="end">{}{label}</text></g>"#,
            edge_word(l.kind),
            if hit { "✓ " } else { "" }
        );
        edges.push((stops, at));
    }
    out.push_str(r#"<g role="list">"#);
    for p in &g.places {
        let (x, y) = (xs[usize::from(p.col)], tops[usize::from(p.row)]);
        let [mut a, b] = lines(w, p);
        let role = p.role.glyph();
        let mut kind = role.to_owned();
        // A dead-letter queue's one number shares its kind's line; its number lines are empty.
        if p.role == Role::DeadLetter {
            kind = format!("{role} · {a}");
            a.clear();
        }
        let note = aside(w, p);
        if !note.is_empty() {
            kind = format!("{role} · {note}");
        }
        let rx = if p.role == Role::Router { 16 } else { 5 };
        let (hit, tick) = if got(p) { (" hit", "✓ ") } else { ("", "") };
        let (looked, pointer) = if look.split(' ').any(|word| word == p.name) {
            (" look", " ◀")
        } else {
            ("", "")
        };
        let _ = write!(
            out,
            r#"<g class="node {}{hit}{looked}" role="listitem" transform="translate({x},{y})" data-node="{}"><rect width="{W}" height="{}" rx="{rx}"/><text x="8" y="13" class="kind">"#,
            role.replace(' ', "-"),
            esc(&p.name),
            box_height(p),
        );
        figure(&mut out, &mut figures, &kind);
        let _ = write!(
            out,
            r#"</text><text x="8" y="27" class="name">{tick}{}{pointer}</text><text x="8" y="40" class="numbers">"#,
            esc(&p.name),
        );
        figure(&mut out, &mut figures, &a);
        out.push_str(r#"</text><text x="8" y="53" class="numbers">"#);
        figure(&mut out, &mut figures, &b);
        out.push_str("</text></g>");
    }
    out.push_str("</g></svg>");
    Drawn {
        svg: out,
        width,
        frame,
        edges,
        figures,
    }
}

/// Writes a box's line that changes with time, and where it is in the drawing.
fn figure(out: &mut String, figures: &mut Vec<Range<usize>>, text: &str) {
    let start = out.len();
    out.push_str(text);
    figures.push(start..out.len());
}

/// Whether two drawings differ in their boxes' figures ([`Drawn::figures`]) at most: then the
/// canvas keeps the elements it has and writes the figures into them.
fn same_but_figures(a: (&str, &[Range<usize>]), b: (&str, &[Range<usize>])) -> bool {
    let mut ends = (0, 0);
    a.1.len() == b.1.len()
        && a.1.iter().zip(b.1).all(|(x, y)| {
            let same = a.0.get(ends.0..x.start) == b.0.get(ends.1..y.start);
            ends = (x.end, y.end);
            same
        })
        && a.0.get(ends.0..) == b.0.get(ends.1..)
}

/// Every box's figures change as a run plays, and markup that changes is parsed, styled and
/// laid out again whole. So a drawing that differs from the one the browser has only in its
/// figures is not handed to Yew, which leaves the one it has: its lines are written here, before
/// Yew compares, with the figures of `drawing` (at `figures` in it).
fn write_figures(figure: &NodeRef, drawing: &str, figures: &[Range<usize>]) {
    let Some(lines) = figure
        .cast::<web_sys::Element>()
        .and_then(|f| f.query_selector_all("[data-node]>text:not(.name)").ok())
        .filter(|l| l.length() as usize == figures.len())
    else {
        return;
    };
    for (i, at) in figures.iter().enumerate() {
        if let (Some(line), Some(text)) = (lines.get(i as u32), drawing.get(at.clone())) {
            if line.text_content().as_deref() != Some(text) {
                line.set_text_content(Some(text));
            }
        }
    }
}

/// What a canvas keeps from one render to the next.
#[derive(Default)]
struct Kept {
    /// What moved between frames, and its drawing, kept until something in it changes.
    flow: (Flow, AttrValue),
    /// The drawing as the browser last parsed it, with where its boxes' figures are.
    parsed: (AttrValue, Vec<Range<usize>>),
    zoom: f64,
}

/// The zoom buttons, as fixed markup: a redraw never replaces them, so a keyboard user's focus
/// stays on the button pressed. The scale follows them in an `<output>`, a polite live region,
/// so a screen reader says the new scale after a press; at either end of the range a button
/// does nothing.
const ZOOM_BUTTONS: &str = r#"<button type="button" data-z="-" aria-label="Zoom out">−</button><button type="button" data-z="+" aria-label="Zoom in">+</button><button type="button" data-z="fit" aria-label="Fit the whole system in view">Fit</button>"#;

/// Any world as boxes and edges (see [`super::graph`]): every node with its kind in words and
/// its key numbers, which come from the same world as the rest of the page at the same time.
#[component]
pub fn Canvas(props: &CanvasProps) -> Html {
    let kept = use_mut_ref(|| Kept {
        zoom: 1.0,
        ..Kept::default()
    });
    let redraw = use_force_update();
    let figure = use_node_ref();
    // Out of view the canvas is not redrawn at all (the playground freezes its panel's time),
    // so its last tokens finish their one trip and nothing moves until it is seen again.
    let (panels, main);
    let (w, only_used, label, id) = match &props.shown {
        Shown::Panel(handle, p) => {
            panels = handle.read(*p, props.now);
            let Some(w) = panels.world(*p) else {
                return Html::default();
            };
            // A lesson on the RabbitMQ broker is about one exchange: the canvas draws what
            // its script uses, names the routers left out, and draws each as soon as someone
            // publishes to it.
            let only_used = matches!(
                panels.spec(*p),
                crate::panels::Spec::Exchanges { scripted: true }
            );
            (w, only_used, p.picture(), p.param())
        }
        Shown::Main(world, _) => {
            main = world.0.borrow();
            (
                &*main,
                false,
                "The order service, its queue and the kitchen",
                "main",
            )
        }
    };
    let g = graph(w, only_used);
    let mut drawn = draw(w, &g, label, id, props.look.as_deref().unwrap_or_default());
    // The overlay needs only the edges' geometry, so the text moves out, not a copy each frame.
    let mut drawing = std::mem::take(&mut drawn.svg);
    if g.unused.is_empty() {
        drawing.push_str(r#"<figcaption class="hint aside">"#);
    } else {
        let _ = write!(
            drawing,
            r#"<figcaption class="hint">Not drawn until used: {}. "#,
            esc(&g.unused.join(", "))
        );
    }
    // The letters, once, for a page with room; a compact lesson leaves it out.
    drawing.push_str(r#"<span class="aside">Moving tokens: P publish, R route, D deliver, A ack (back), Q requeue (back), X dead letter, W write, Y reply, C call; 12/s is a flow per simulated second, when too many to draw. In flight 3 · 28 s: the first comes back in 28 s unless deleted.</span></figcaption>"#);
    // One listener for the three buttons.
    let onclick = {
        let (kept, redraw, figure, width) =
            (kept.clone(), redraw.clone(), figure.clone(), drawn.width);
        Callback::from(move |e: MouseEvent| {
            let pressed = e
                .target_dyn_into::<web_sys::Element>()
                .and_then(|t| t.closest("[data-z]").ok().flatten())
                .and_then(|b| b.get_attribute("data-z"));
            let mut kept = kept.borrow_mut();
            kept.zoom = match pressed.as_deref() {
                Some("fit") => {
                    let room = figure
                        .cast::<web_sys::Element>()
                        .map_or(0.0, |f| f64::from(f.client_width()));
                    fit(room, f64::from(width))
                }
                Some(z) => step(kept.zoom, z == "+"),
                None => return,
            };
            redraw.force_update();
        })
    };
    let mut kept = kept.borrow_mut();
    let kept = &mut *kept;
    if same_but_figures((&kept.parsed.0, &kept.parsed.1), (&drawing, &drawn.figures)) {
        write_figures(&figure, &drawing, &drawn.figures);
    } else {
        kept.parsed = (drawing.into(), std::mem::take(&mut drawn.figures));
    }
    let counts = g.links.iter().map(|l| crossed(w, &g, l)).collect();
    let real = js_sys::Date::now();
    if kept.flow.0.observe(props.now, real, counts) {
        kept.flow.1 = overlay(&drawn, &g, &kept.flow.0, real).into();
    }
    let shown = percent(kept.zoom);
    html! {
        <>
        <div class="zoom" role="group" aria-label="Zoom the drawing" {onclick}>
            { Html::from_html_unchecked(ZOOM_BUTTONS.into()) }
            <output>{ shown }{ " %" }</output>
        </div>
        <figure class="canvas" ref={figure} style={format!("--zoom:{shown}%")}>
            { Html::from_html_unchecked(kept.parsed.0.clone()) }
            { Html::from_html_unchecked(kept.flow.1.clone()) }
        </figure>
        </>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::{draw, same_but_figures};
    use crate::canvas::graph::graph;
    use queue_engine::{Millis, ScenarioV2, World};

    /// As a run plays, only the boxes' figures change, so the canvas keeps the elements it has
    /// and writes them in; a drawing that changed otherwise (a box pointed at) is parsed anew.
    /// The figures are each box's three lines and nothing more.
    #[test]
    fn a_drawing_whose_figures_alone_changed_keeps_its_elements() {
        let s = ScenarioV2::from_json(include_str!("../../scenarios/pizza-shop.json")).unwrap();
        let mut w = World::new(s.plan().unwrap()).unwrap();
        let g = graph(&w, false);
        let before = draw(&w, &g, "the pizza shop", "t", "");
        w.advance_to(Millis(60_000));
        let after = draw(&w, &g, "the pizza shop", "t", "");
        assert_ne!(before.svg, after.svg, "a minute on, a figure changed");
        assert!(same_but_figures(
            (&before.svg, &before.figures),
            (&after.svg, &after.figures)
        ));
        assert_eq!(after.figures.len(), 3 * g.places.len());
        for at in &after.figures {
            assert!(after.svg[..at.start].ends_with('>'), "{at:?}");
            assert!(after.svg[at.end..].starts_with("</text>"), "{at:?}");
        }
        let pointed = draw(&w, &g, "the pizza shop", "t", &g.places[0].name);
        assert!(!same_but_figures(
            (&after.svg, &after.figures),
            (&pointed.svg, &pointed.figures)
        ));
        let renamed = draw(&w, &g, "another shop", "t", "");
        assert!(!same_but_figures(
            (&after.svg, &after.figures),
            (&renamed.svg, &renamed.figures)
        ));
    }
}
