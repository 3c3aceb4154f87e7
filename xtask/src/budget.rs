//! The download budget: gzip size of everything `dist/` serves, compared with one number.
//!
//! Bytes are stable from run to run, unlike timings, so this is safe to enforce in CI.

use std::path::{Path, PathBuf};

/// The one place the budget is written: total gzip bytes of everything the page downloads.
///
/// It started at 250 kB for the shell (which used 71 kB). With the whole engine and the
/// playground UI the page was ~287 kB; 30 kB of that is the engine built at opt-level 3, which
/// makes the in-browser engine 1.6x faster (time-travel jumps stay under 100 ms), so it went to
/// 300 kB. The 18 guided lessons (7 kB of gzip text), the lesson panel and the embedding API
/// (`mount`, host messages, options) took it to ~333 kB even after dropping serde_path_to_error
/// from the browser build (-12 kB). The platform lens with its exports and the A/B compare
/// panel added ~20 kB more: 360 kB. The partitioned log, the fan-out panel and four more platforms
/// in the lens took it to ~386 kB, and the Redis Streams panel to ~403 kB: 420 kB. wasm-opt
/// `--converge` saves only ~1 kB (not worth the build time). Measured lever not pulled: the engine at opt-level
/// "s" saves 20 kB but makes the in-browser engine 1.4x slower on the steady and log workloads
/// (time-travel jumps replay through it). The five lessons on the log and topics (each runs
/// its own model, so the browser now parses log scenarios; the largest new function is a 19 kB
/// raw serde deserializer),
/// the RabbitMQ exchanges panel and the queue-vs-topic panel took it to ~448 kB: 460 kB. Making
/// messages openable in the fan-out, RabbitMQ and Redis panels used most of the rest (~456 kB):
/// the next feature must pay for itself.
/// Parsing the log scenario in this crate (size-first) instead of the engine measured 1 kB
/// worse, not taken. The embedding work for course platforms (458.9 kB before) paid for itself:
/// Trunk's minifier for the CSS, boot.js and the page (-1.7 kB), the JS glue without comments
/// (-1.1 kB), a second wasm-opt pass without the producers section (-0.7 kB), lessons embedded
/// without indentation (-0.5 kB), no descriptions of regions in the wasm (-0.5 kB), no same-folder
/// integrity hashes (-0.2 kB), postMessage in boot.js rather than wasm; that bought 24 oEmbed
/// files (3.9 kB), click to load, xAPI statements and pausing off screen: 459.9 kB.
/// The one-world engine's first steps cost 2.5 kB of wasm through `#[inline]` hints on the
/// engine's emit and schedule (opt-level 3 copied them into every caller); without them the
/// page is 458.7 kB and the engine is no slower (callgrind: 316.5 M instructions on the steady
/// bench against 319.3 M with them), so the budget comes down to 459.5 kB.
/// `cargo xtask size --why` then showed the standard library's general float parser in the
/// page, for the four places that read a decimal (durations, the speed in links and menus, the
/// time slider): its 10 kB power-of-five table and code barely compress. A plain-decimal reader
/// (`parse_decimal`) replaced it: -14.7 kB of gzip, to 444.0 kB, and the budget to 444.5 kB.
/// The compact embedded lesson (only the regions a lesson needs, `show=`) and the mdBook fixes
/// to boot.js cost 1.2 kB; writing numbers without the standard float formatter (`Decimal`:
/// SVG coordinates, speeds, rates and durations, found by grepping each crate's LLVM IR for
/// references to `<f64 as Display>::fmt`) won back 7.5 kB: 437.8 kB, budget 438 kB.
/// The in-browser engine benchmark (`?bench=engine`) and the workloads it runs moved behind the
/// `bench` feature, built only by `cargo xtask bench` into its own folder: 432.3 kB, budget
/// 432.5 kB.
/// Kafka logs and Redis streams as world members cost 5.3 kB (their event vocabulary, the
/// seek command, and the standalone models' emit calls, which the page still runs); putting
/// a consumer group's settings on the subscribe edge rather than the pool kept them out of the
/// page's parser (-2.2 kB). Capitalising event sentences as ASCII instead of through
/// `char::to_uppercase` dropped Unicode's case tables from the page (-7.5 kB): 427.8 kB,
/// budget 428 kB.
/// A Redis log's `max_len` and a worker failing an entry from its own copy after a trim
/// cost 471 B; a pending record kept at 24 bytes (the owner as u16) and a read that no longer
/// collects into a Vec won them back and more: 427.7 kB, budget 427.8 kB.
/// Reading commands, stream commands, retry policies and durations without serde's
/// buffering of internally tagged and untagged enums won 23.6 kB (427.7 -> 404.0 kB). The
/// fan-out, queue-vs-topic and Redis panels moving onto the world (the world, its log members
/// and a plan reader ship; FanOut, Contrast and the stream's alone mode go) spent 22.9 kB of
/// it: 426.9 kB here and 427.1 kB in a clean clone (CI), budget 427.3 kB.
/// The main queue as a world (+2.3 kB) was paid for by a per-crate opt-level fact: a generic
/// instantiated inside the engine is built at the engine's opt-level 3, so the serde readers
/// behind the engine's non-generic `from_json` functions were speed-optimised. Marked
/// `#[inline]`, they and the other once-per-click entry points are built in the page at
/// opt-level z (-19.6 kB); the log lessons and panel as worlds spent 2.5 kB of it: 412.2 kB,
/// budget 412.5 kB.
/// The RabbitMQ panel on the world (routers, basic.get, dead-letter headers and its broker as
/// a plan) first cost 12.7 kB; the engine at opt-level 2 (as fast in Chromium as 3), routers
/// read as string tokens with keys only and leaner plans won it back: 412.1 kB, budget
/// unchanged.
/// A chunked message store cost 0.1 kB; the page no longer sorts messages (the RabbitMQ
/// panel's head and dead letters are picked, not sorted), which dropped a stable sort:
/// 410.4 kB, budget 410.6 kB.
/// The broker-check lines under each system and lesson cost 0.9 kB (0.4 kB once drawn by
/// Region, one call site for every panel); the benchmark's backlog scenarios moved into the
/// benchmark's own build (-0.2 kB), lowered scenarios lost their unseen descriptions, and the
/// JS glue goes through terser (-1.0 kB): 410.0 kB, budget 410.1 kB.
/// Lessons became files fetched when opened (409,993 -> 407,220 B: the 9.5 kB of lesson JSON
/// left the wasm, the fetch cost about 2 kB, and the total now counts only the largest lesson
/// file, since a visit fetches one at a time). The canvas took the queue-vs-topic, RabbitMQ
/// and fan-out panels, paid mostly by the RabbitMQ panel's own drawing it replaced (409.5 kB);
/// two more lessons cost only their index lines; the compact embed's layout and its
/// lesson-specific controls (control names among a lesson's regions: 203 B, where a field of
/// their own cost 381 B) were paid by a plainer fetch error and CSS selectors instead of a
/// class: 409.9 kB, budget 410 kB.
/// JSON text written through `Value`'s Display alone, not three writers (-2.2 kB), paid for
/// a lens that offers all seven platforms, lessons on the broker and stream panels and three
/// new lessons (+1.0 kB) and the engine's `resend` command (+0.6 kB): 409.4 kB, budget
/// 409.5 kB.
/// Claim checks, schema versions and their two lessons cost about 2.3 kB (most of it the
/// envelope's new objects through `json!`, and two oEmbed files); building every JSON object
/// in the page through one helper instead of `json!` won 3.8 kB, so the lesson menu's
/// failed-fetch fix came along too: 408.6 kB. The legend's two new tokens (+0.2 kB) were
/// paid by naming command kinds without `Debug` (-0.5 kB): 408.3 kB, budget 408.4 kB.
/// Naming a command from a table instead of serialising it to read its tag dropped every
/// command writer from the page (-2.1 kB); that paid for the compact embed's folds and
/// layout (+0.6 kB), counts in words (+0.2 kB) and the denser canvas (+0.3 kB): 407.5 kB,
/// budget 407.55 kB.
/// wasm-opt flattening the code and rebuilding its control flow (`--flatten --rereloop`)
/// before a last `-Oz` won 1.9 kB of wasm; it paid for a canvas that draws only what a
/// broker lesson uses (+0.7 kB): 406.3 kB, budget 406.4 kB.
/// Reading the 25 enums of one-word settings through one string reader and a table of names
/// (`queue_engine::names`) instead of serde's derived visitor for each won 3.0 kB; it paid
/// for the compact lesson's one-row diagram, the quorum queue's label, the lens opening on the
/// lesson's platform and the denser compact CSS (+0.8 kB): 404.2 kB, budget 404.3 kB.
/// The queue's lines of handles at 8 bytes a handle, growing by an eighth (rush hour's peak
/// memory 189 -> 141 MB), cost 0.6 kB; naming the tagged readers' kinds and modes from the
/// name table instead of `Debug` won 0.6 kB: 404.1 kB, budget 404.2 kB.
/// The models' three small ordered maps on one sorted `Vec` instead of a `BTreeMap` each won
/// 5.7 kB, and a checkpoint's numbers as a list instead of a `BTreeMap` 1.1 kB (397.3 kB); the
/// canvas's moving tokens and flow figures spent 3.0 kB of it: 400.3 kB, budget 400.4 kB.
/// The FIFO deduplication ids in a `HashMap` instead of the page's last `BTreeMap` of integer
/// keys won 1.5 kB; stopping the tokens of a canvas out of view (main-thread time at 1x back
/// from 8 to 5 ms a frame) spent 0.8 kB: 399.6 kB, budget 399.7 kB.
/// A plan's command targets and member node names written as strings instead of serde's
/// tagged objects won 0.5 kB; a queue's delayed count and in-flight countdown on the canvas
/// spent 0.4 kB of it: 399.5 kB, budget 399.6 kB.
/// A 64-byte message record (+0.06 kB) and a slower tick at 1x (+0.08 kB) were paid by a
/// shorter target error: 399.55 kB, budget 399.55 kB. Smaller dead-letter expiry entries and
/// the reply time read from the event window: 399.51 kB, budget 399.52 kB.
/// Large props compared as one allocation rather than field by field (the snapshot, metrics,
/// settings, history, event rows; the derived PartialEq of Scenario, Envelope and Command left
/// the page) won 1.6 kB; it paid for panels and the log freezing out of view, lesson moments
/// with Go on, and the side-by-side lesson layout: 399.20 kB, budget 399.21 kB. The counts
/// by pointer paid for the phones' sticky key column: 399.03 kB, budget 399.05 kB. The
/// Systems menu paid for itself (a view function, not a component; one shared select reader;
/// no region summaries nobody saw): 398.69 kB; the verdict scrolled into view on phones:
/// 398.99 kB, budget 399.00 kB.
/// Five stateless components as view functions (header, footer, link notice, time travel,
/// queue vs topic) won 2.5 kB; it paid for the shop on four more brokers' queues with an
/// ActiveMQ lens (+1.2 kB), the log's skipped and repeated marks (+0.7 kB) and selects that
/// always show the value in force (+0.2 kB) and lesson moments that point at a number or the
/// event log (stylesheet only); one choice list for both selects, not one per integer type
/// (-0.2 kB): 398.36 kB here and in a clean clone (CI), budget 398.42 kB.
/// The engine's packed 36-byte messages and slot-only publish-order line (#11's memory) cost
/// 3.2 kB; the envelope card, the dead-letter list and the diagram's tokens as view functions
/// won it back (-3.3 kB): 398.23 kB (398.24 in CI), budget 398.30 kB. Service Bus's limit
/// always on (+0.08 kB) and eight lesson moments (the largest lesson file counts) were paid
/// for by letting the packed fields' reader and writer inline again (-0.13 kB): 398.15 kB,
/// budget 398.20 kB. The page leaving out the log hash (-0.68 kB) and a last `-Oz` after
/// wasm-opt's converged run (-0.98 kB) paid for three moments' numbers and the canvas's zoom
/// buttons (+1.1 kB; a pinch of its own would have cost 0.9 kB more): 397.78 kB, budget
/// 397.85 kB. The zoom's scale as a live region (+13 B), phone charts two a row (-13 B),
/// no transitions under reduced motion (-4 B), callbacks that compare equal (+13 B) and field
/// notes that name no one system (+30 B, and +13 B for a fixed slip): 397.82 kB, budget 397.84 kB.
/// Every panel's system drawn by one canvas call in the page, the log and the stream too
/// (-0.2 kB), and every system's messages in the one inspector instead of a card each
/// (-1.0 kB), paid for a record's lifecycle with what a skipped one means (+0.4 kB) and a
/// lesson moment pointing at a node on the canvas (+0.3 kB): 397.27 kB, budget 397.29 kB.
/// One constructor for a queue message's inspector instead of three literals: 397.03 kB,
/// budget 397.05 kB.
/// The pizza shop on the canvas (+0.75 kB) was paid for by the queue diagram as a view
/// function (-0.77 kB); tokens moved by the compositor (+0.13 kB) by one builder for every
/// region and a straight edge drawn as a curve's special case, sharing its code (-0.22 kB):
/// 396.91 kB, budget 396.93 kB.
/// The panels' open messages and the inspector's three choices as one state type each
/// (-0.42 kB and -0.66 kB of Yew's per-type state code) paid for the queue diagram's tokens
/// as HTML that glide on the compositor only when they change place (+0.78 kB): 396.63 kB,
/// budget 396.65 kB. The lens's three choices as one state too (-0.65 kB) paid for a log
/// record's lifecycle naming its groups (+0.27 kB): 396.25 kB, budget 396.27 kB. The
/// diagram's glides read its placed tokens instead of a copy of their ids: 396.15 kB,
/// budget 396.18 kB. A token's words on hover and on keyboard focus, drawn by the stylesheet
/// from its label (+78 B; the same tip as an SVG title in the wasm cost 0.5 kB), were paid for
/// by the page's build writing the registry's source folder as `c` in a dependency's panic
/// locations (-0.11 kB): 396.09 kB, budget 396.10 kB. Lesson scenarios read as raw text and
/// host messages read off the JS object, so the page carries no generic JSON value reader
/// (-2.19 kB), paid for the configuration to copy under the broker (RabbitMQ definitions) and
/// the two SNS systems (Terraform), +2.02 kB in all: 395.92 kB, budget 395.94 kB. A broker or
/// stream lesson's empty scenario checked as text rather than read by a derived reader
/// (-0.16 kB): 395.76 kB, budget 395.79 kB. Those texts borrowed rather than copied each
/// frame (-0.09 kB): 395.67 kB, budget 395.70 kB. Copy buttons that say whether the
/// clipboard took the text, and select it when refused, paid for by Copy link as a view
/// (-0.30 kB net); the log panel's system read from its scenario file rather than built in
/// Rust (-0.15 kB); the orders log's Kafka configuration to copy (+0.46 kB, static: written
/// live from the panel's settings it cost 1.56 kB); the agenda's in-order lane (+0.49 kB),
/// paid for by the fan-out panel as a view (-0.96 kB): 395.23 kB, budget 395.25 kB. The
/// log's and the Redis stream's panels as views too (-0.82 kB for the log), which paid for
/// the Redis stream's commands to copy and Copy link's tooltip back: 394.55 kB, budget
/// 394.58 kB.
/// Markup that never changes written as fixed text (`components::fixed`: the header, footer,
/// hints, notes, folds, the diagram's fixed SVG) and table headers through one loop won 1.24 kB
/// (393.31 kB). The lesson writer cost 12.7 kB in the page, so it went to a studio page of its
/// own (`dist/studio/`, below); the page keeps a link to it and a notice for its links (+0.6 kB):
/// 393.91 kB, budget 393.95 kB.
/// The studio's builder and system files run in a worker of their own (below), so the page
/// carries only the permalink's knowledge of them; one node in place of the staged system's
/// region (so the regions before it are not drawn anew) won a little: 393.87 kB, budget
/// 393.90 kB. The builder's edge settings, commands and exports live in the worker: 393.86
/// kB, budget 393.89 kB. Token animations that the page ends, with an ack's stops written
/// in reverse instead of a second keyframe list: 393.79 kB, budget 393.80 kB. The oEmbed
/// responses left the total, since only other sites read them, and the budget went down by
/// what they weighed (5,111 B), so no byte of room came of it: 388.69 kB, budget 388.69 kB.
/// The systems' configurations to copy (13.5 kB of text) became files fetched when their box
/// is first opened, counted like lessons (the largest, 0.63 kB); Kafka's order breaks counted
/// through the B-tree the page already has rather than a hash map of their own (-0.2 kB):
/// 388.18 kB (with a shorter no-JavaScript fallback), budget 388.20 kB. An in-flight token's
/// countdown as a style property (+10 B net) and a log record's key as a number instead of a
/// string, spelled on the stack for the partitioner (-0.45 kB): 387.73 kB, budget 387.75 kB.
/// One picture for every token, the legend's swatches included, whose kind the stylesheet
/// shows (-81 B): 387.65 kB, budget 387.70 kB. The page's optional strings in state as
/// strings, so Yew's state code for `Option<String>` went, paid for a canvas that writes its
/// boxes' changed numbers into the elements it has: 387.31 kB, budget 387.33 kB. The
/// inspector's choice, the lens's and the panels' opened messages in cells their components
/// redraw after changing (`components::Chosen`) instead of states of their own types:
/// 386.88 kB, budget 386.90 kB. The App's eight effects as one that runs after each render
/// and compares what it acted on last: 384.74 kB, budget 384.76 kB. The built-in worlds'
/// plans as Rust the build writes, reading only their members' scenarios, producers and
/// commands as JSON, so the page carries no reader for a whole plan: 375.26 kB, budget
/// 375.28 kB. Their builders out of line: 375.03 kB, budget 375.05 kB. wasm-opt told that
/// the lowest kilobyte of memory is never reached (`--low-memory-unused`, true of Rust's
/// stack-first layout), so that it folds a pointer plus a small constant into the access's
/// own offset: 373.54 kB, budget 373.56 kB. Lesson progress as a sorted list rather than a
/// `BTreeMap`, two can't-happen panics without their error's `Debug`, and host events quoted
/// as JSON rather than with `{:?}` (which also brought Rust's debug escaping): 370.91 kB,
/// budget 370.93 kB. Varying class names joined by one function instead of a `classes!` set
/// built inline at each element: 369.39 kB, budget 369.41 kB. Talc in place of Rust's default
/// dlmalloc as the allocator (-2.46 kB) paid for Copy link's warning on a link over 2,000
/// characters (+0.24 kB) and the canvas's requeue token (+0.20 kB): 367.37 kB, budget 367.40 kB.
/// HTTP vs queue in the Systems menu (+0.23 kB) paid by Talc without realloc in place (-0.16
/// kB) and a shorter link warning: 367.38 kB, budget unchanged.
/// wasm-opt putting the functions in name order last (a generic's copies side by side in
/// gzip's window, -3.8 kB) paid for the log's lanes drawn by one function that the studio's
/// own systems share (+1.05 kB): 364.61 kB, budget 364.63 kB. A log scenario with no group
/// drawn as nothing rather than a panic: 363.69 kB (gzip moved more than the code did),
/// budget 363.72 kB.
/// Short names for the wasm's imports and the glue's own exports (`names.rs`): wasm-bindgen
/// writes each import's name, a Rust path and a 16-digit hash, twice, in the wasm and as a key
/// in the glue, and hashes do not compress (-6.05 kB). It paid for Pub/Sub's 31-day retention
/// and each platform's `messaging.system` in traces (+0.03 kB): 357.76 kB, budget 357.78 kB.
/// Each step is in the git log.
pub const GZIP_BUDGET_BYTES: u64 = 357_780;

/// The studio page's own budget (`dist/studio/`): the playground plus the tools for course
/// authors, which only they open, so the page course pages embed does not carry them. It
/// started with the lesson writer at 400.03 kB; like the page's, it only goes down, and a tool
/// that needs bytes wins them back. The builder and system files (a sixth panel for a system
/// of one's own, the fold, its links, the event that brings each plan) were paid, with 3 kB to
/// spare, by leaving the script API (`mount`, `playground.js`'s, which course pages load from
/// the page, never from the studio; 4.1 kB) and the single-file build's inline lessons out of
/// the studio, once the builder's DOM wiring moved to the lazily fetched `planner_builder.js`
/// (as Rust through wasm-bindgen it cost 5.5 kB more here): 397.10 kB, budget 397.16 kB;
/// then 397.11 kB, budget 397.14 kB; then 397.09 kB, budget 397.10 kB. Lessons on a system of
/// one's own (a sixth lesson model, and the check of a plan from outside the planner, 1.4 kB
/// at first) were paid by the configurations fetched on demand (as the page's, above), the
/// studio's start-up script through terser (Trunk's minifier could not parse its `import()`,
/// -0.26 kB), a check said in fixed words, and shorter words in the studio's page:
/// 397.02 kB, budget 397.04 kB. A log record's key as a number (as the page's, above):
/// 396.60 kB, budget 396.62 kB. One picture for every token (as the page's, above): 396.58
/// kB, budget 396.60 kB. The same two changes as the page's: 396.44 kB, budget 396.46 kB.
/// Choices in cells rather than states (as the page's): 396.09 kB, budget 396.11 kB. The
/// App's effects as one (as the page's): 393.62 kB, budget 393.64 kB. wasm-opt's
/// `--low-memory-unused` (as the page's): 391.80 kB, budget 391.82 kB. The same three
/// changes as the page's: 389.41 kB, budget 389.43 kB. Class names as the page's: 388.76 kB,
/// budget 388.78 kB. Talc, the link's warning and the requeue token (as the page's): 386.61 kB,
/// budget 386.64 kB. HTTP vs queue, paid as the page's: 386.63 kB, budget unchanged.
/// Functions in name order (as the page's) paid for the lanes of an own system's Kafka logs:
/// 382.90 kB, budget 382.92 kB. Each log named for screen readers, a record opened in an own
/// system forgotten when a builder step reopens it, paid by shorter words: 382.89 kB, budget
/// unchanged; that forgetting made to work (its count kept by the page): 382.90 kB.
/// Short import and export names (as the page's, -6.40 kB) paid for the page's two changes
/// and each own queue's messages under the canvas, to open in the inspector (+1.19 kB):
/// 377.76 kB, budget 377.78 kB.
pub const STUDIO_GZIP_BUDGET_BYTES: u64 = 377_780;

/// The studio's builder as fetched the first time an author opens it: the planner worker
/// (planner/: the scenario reader with field paths, the planner, the builder's steps and
/// controls, the plan's writer; built for size in its own profile) and its page side,
/// `planner_builder.js`. Started at what it measured, 161.59 kB; like the others, it only goes
/// down. Without field paths it would be 12 kB smaller, but an author's file must say which
/// field is wrong. Edge settings, timed commands, profile switches, RabbitMQ definitions in
/// and exports out (+27 kB) were paid by reading settings back through the file reader and
/// writing them through the plan's writer instead of serde_json's value (de)serializers
/// (-18 kB), by leaving version 1 files to `qsim convert` (-12.6 kB) and by the page's
/// flatten/rereloop passes (-1.2 kB): 156.89 kB, budget 156.95 kB. wasm-opt's
/// `--low-memory-unused` (as the page's): 155.84 kB, budget 155.88 kB; measured 155.83 to
/// 155.84 kB over three builds since: budget 155.86 kB. Talc as the worker's allocator (-2.58
/// kB), and a field's change made while the worker is busy kept for after its answer rather
/// than dropped (+0.07 kB): 153.34 kB, budget 153.36 kB. Talc without realloc in place (as
/// the page's): 153.25 kB, budget 153.28 kB. Functions in name order (as the page's, -0.23
/// kB) and a waiting change shown in its redrawn field (+0.03 kB): 153.03 to 153.07 kB over
/// three builds, budget 153.09 kB. Open folds and a waiting change that follow their edge
/// when an edge is removed (+0.03 kB, paid in part by reading the form's fields by name) and
/// the worker's glue through terser (-0.10 kB; Trunk's minifier named its locals differently
/// from build to build, which moved it by some 10 B): 152.98 kB, budget 153.00 kB.
/// Short import and export names in the worker (as the page's, -1.04 kB) paid for steps
/// that wait their turn instead of being dropped, folds that follow their edges when a node
/// goes, and the focus kept in the list after Remove (+0.36 kB): 152.31 kB, budget 152.33 kB.
pub const PLANNER_GZIP_BUDGET_BYTES: u64 = 152_330;

pub struct FileSize {
    pub path: PathBuf,
    pub raw: u64,
    pub gzip: u64,
    /// What a host serving the pre-compressed `.br` copy sends (reported, not budgeted).
    pub brotli: u64,
}

/// Prints each served file's raw and gzip size and the total; fails above the budget.
pub fn report(dist: &Path) -> Result<u64, String> {
    let root = crate::run::root().join(dist);
    let mut files = Vec::new();
    collect(&root, &mut files).map_err(|e| format!("cannot read {}: {e}", root.display()))?;
    if files.is_empty() {
        return Err(format!(
            "{} is empty: run `cargo xtask build` first",
            root.display()
        ));
    }
    // The single-file build is a separate download for people without a server, never
    // fetched by the page: reported, not counted.
    if let Some(p) = files
        .iter()
        .find(|p| p.ends_with(crate::package::STANDALONE))
    {
        let (raw, gzip) = measure(p).map_err(|e| format!("cannot measure {}: {e}", p.display()))?;
        println!(
            "    {raw:>10} {gzip:>10}  {} (separate download, not in the total)",
            crate::package::STANDALONE
        );
    }
    // The pre-compressed copies are other encodings of the same files, not more downloads.
    files.retain(|p| !p.ends_with(crate::package::STANDALONE) && !crate::compress::is_copy(p));
    // The oEmbed responses are read by the sites that turn a link into an embed, never by the
    // page: reported, not counted (they left the total at 393,799 B, and the budget went down
    // by exactly what they weighed then, 5,111 B).
    let oembed = root.join("oembed");
    let (oembeds, files): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(|p| p.starts_with(&oembed));
    if !oembeds.is_empty() {
        let mut gzip = 0;
        for p in &oembeds {
            gzip += measure(p)
                .map_err(|e| format!("cannot measure {}: {e}", p.display()))?
                .1;
        }
        println!(
            "    {gzip:>21}  oembed/, {} link-preview responses (read by other sites, not in the total)",
            oembeds.len()
        );
    }
    // The studio is another page, for course authors: a course page never loads it, so it
    // has a budget of its own (below), and the page's total leaves it out.
    let studio = root.join(crate::package::STUDIO);
    let (studio_files, files): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(|p| p.starts_with(&studio));
    let total = page_total(&root, files, true)?;
    println!("    {total:>21}  total (budget {GZIP_BUDGET_BYTES} B gzip)");
    // The builder (the planner worker and its page side) is fetched only when an author first
    // opens it, never when the studio opens: its own budget, so neither number hides the other.
    let is_planner = |p: &PathBuf| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(crate::package::PLANNER))
    };
    let (planner_files, studio_files): (Vec<PathBuf>, Vec<PathBuf>) =
        studio_files.into_iter().partition(is_planner);
    let in_studio = if studio_files.is_empty() {
        0
    } else {
        page_total(&studio, studio_files, false)?
    };
    let in_planner = if planner_files.is_empty() {
        0
    } else {
        page_total(&studio, planner_files, false)?
    };
    if in_studio > 0 {
        println!(
            "    {in_studio:>21}  the studio page, {}/ (budget {STUDIO_GZIP_BUDGET_BYTES} B gzip)",
            crate::package::STUDIO
        );
    }
    if in_planner > 0 {
        println!(
            "    {in_planner:>21}  its builder (the planner worker and planner_builder.js), fetched when first opened (budget {PLANNER_GZIP_BUDGET_BYTES} B gzip)"
        );
    }
    if total > GZIP_BUDGET_BYTES {
        return Err(format!(
            "dist/ is {total} B gzip, over the {GZIP_BUDGET_BYTES} B budget by {} B",
            total - GZIP_BUDGET_BYTES
        ));
    }
    if in_studio > STUDIO_GZIP_BUDGET_BYTES {
        return Err(format!(
            "dist/{}/ is {in_studio} B gzip, over its {STUDIO_GZIP_BUDGET_BYTES} B budget by {} B",
            crate::package::STUDIO,
            in_studio - STUDIO_GZIP_BUDGET_BYTES
        ));
    }
    if in_planner > PLANNER_GZIP_BUDGET_BYTES {
        return Err(format!(
            "the studio's builder is {in_planner} B gzip, over its {PLANNER_GZIP_BUDGET_BYTES} B budget by {} B",
            in_planner - PLANNER_GZIP_BUDGET_BYTES
        ));
    }
    println!(
        "    within budget: {:.1}% used",
        total as f64 * 100.0 / GZIP_BUDGET_BYTES as f64
    );
    Ok(total)
}

/// The gzip bytes a visit to the page in `root` downloads: every file in `files`, but of
/// its lesson files and of its configurations to copy only the largest of each. With `listed`,
/// each file's line is printed too.
fn page_total(root: &Path, files: Vec<PathBuf>, listed: bool) -> Result<u64, String> {
    let mut sizes = files
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p)?;
            let brotli = crate::compress::brotli(&bytes).len().min(bytes.len()) as u64;
            measure(p).map(|(raw, gzip)| FileSize {
                path: p.clone(),
                raw,
                gzip,
                brotli,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("cannot measure dist/: {e}"))?;
    sizes.sort_by_key(|s| std::cmp::Reverse(s.gzip));
    // Lesson files are fetched one at a time, when a lesson is opened: a visit downloads at
    // most one before the learner picks another, so the largest counts and the rest do not.
    // So are the systems' configurations to copy, when a box is opened.
    for (folder, what) in [("lessons", "lesson files"), ("exports", "configurations")] {
        let dir = root.join(folder);
        let (fetched, rest): (Vec<FileSize>, Vec<FileSize>) =
            sizes.into_iter().partition(|s| s.path.starts_with(&dir));
        sizes = rest;
        if listed && !fetched.is_empty() {
            let all: u64 = fetched.iter().map(|s| s.gzip).sum();
            println!(
                "    {} {what}, {all} B gzip in all, fetched one at a time: the largest counts",
                fetched.len()
            );
        }
        sizes.extend(fetched.into_iter().take(1));
    }
    let total: u64 = sizes.iter().map(|s| s.gzip).sum();
    if listed {
        let raw_total: u64 = sizes.iter().map(|s| s.raw).sum();
        let brotli_total: u64 = sizes.iter().map(|s| s.brotli).sum();
        println!(
            "    {:>10} {:>10} {:>10}  file",
            "raw B", "gzip B", "brotli B"
        );
        for s in &sizes {
            let shown = s.path.strip_prefix(root).unwrap_or(&s.path);
            println!(
                "    {:>10} {:>10} {:>10}  {}",
                s.raw,
                s.gzip,
                s.brotli,
                shown.display()
            );
        }
        println!(
            "    {raw_total:>10} {:>10} {brotli_total:>10}  raw and brotli in all",
            ""
        );
    }
    Ok(total)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Raw and gzip (level 9, as static hosts pre-compress) sizes of one file.
pub fn measure(path: &Path) -> std::io::Result<(u64, u64)> {
    let bytes = std::fs::read(path)?;
    Ok((bytes.len() as u64, gzip_len(&bytes)?))
}

fn gzip_len(bytes: &[u8]) -> std::io::Result<u64> {
    Ok(crate::compress::gzip(bytes).len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_shrinks_repetitive_text_and_keeps_random_bytes_about_the_same() {
        let text = "order 42 cooked\n".repeat(1000);
        let packed = gzip_len(text.as_bytes()).unwrap();
        assert!(
            packed < text.len() as u64 / 20,
            "16 kB of repeated text gzips to {packed} B"
        );
        assert!(
            gzip_len(b"").unwrap() > 0,
            "even an empty file has a gzip header"
        );
    }
}
