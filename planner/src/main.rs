//! The planner as a web worker. Each message is a builder step, `[op, file, open folds,
//! args…]` (opening a file is the step `show`; `undo` and `redo` walk the steps), answered with `[true, file, plan or null, controls,
//! status]` or `[false, why the step was refused]` (see [`queue_planner::builder::step`]).
//! The worker says `"ready"` once, when it can take messages, so nothing sent is lost while
//! its wasm loads. Natively it plans standard input and prints the plan, for trying a file.

/// The page's allocator (see `src/lib.rs`): the worker is downloaded too.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let answer = scope.clone();
    // The author's steps, for Undo and Redo, for as long as the page keeps the worker.
    let session = std::cell::RefCell::new(queue_planner::builder::Session::default());
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        let parts: Vec<String> = js_sys::Array::from(&e.data())
            .iter()
            .map(|v| v.as_string().unwrap_or_default())
            .collect();
        // [op, file, open folds (comma-separated), args…]
        let part = |i: usize| parts.get(i).map_or("", String::as_str);
        let open = part(2)
            .split(',')
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        let built =
            session
                .borrow_mut()
                .answer(part(0), part(1), open, parts.get(3..).unwrap_or_default());
        let reply = match built {
            Ok(b) => {
                let plan = b.plan.map_or(JsValue::NULL, JsValue::from);
                let reply = js_sys::Array::of3(&true.into(), &b.text.into(), &plan);
                reply.push(&b.html.into());
                reply.push(&b.status.into());
                reply
            }
            Err(why) => js_sys::Array::of2(&false.into(), &why.into()),
        };
        // A worker's postMessage fails only on values it cannot clone; these are plain.
        let _ = answer.post_message(&reply);
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    onmessage.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use std::io::Read;
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("planner: cannot read standard input: {e}");
        std::process::exit(2);
    }
    match queue_planner::plan_file(&text) {
        Ok(plan) => println!("{plan}"),
        Err(why) => {
            eprintln!("{why}");
            std::process::exit(1);
        }
    }
}
