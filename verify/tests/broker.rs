//! Against a real RabbitMQ, when `QSIM_VERIFY_BROKER` names one (`cargo xtask verify` starts a
//! private node and sets it); skipped otherwise, so `cargo test --workspace` needs no broker.

use queue_engine::Millis;
use queue_verify::{broker, compare, plan};

fn broker_url() -> Option<String> {
    let url = std::env::var("QSIM_VERIFY_BROKER").ok();
    if url.is_none() {
        eprintln!(
            "skipped: set QSIM_VERIFY_BROKER=amqp://127.0.0.1:PORT (cargo xtask verify does)"
        );
    }
    url
}

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The same broker run that agrees with the engine must disagree with a deliberately wrong
/// engine result (a quorum queue with `x-delivery-limit: 3` delivers 4 times, not 3).
#[test]
fn a_real_broker_agrees_and_catches_a_wrong_engine_result() {
    let Some(url) = broker_url() else { return };
    let plan = plan::load(
        &scenario("quorum-delivery-limit.json"),
        Some(Millis::from_secs(10)),
    )
    .expect("the scenario loads");
    let observed = broker::run(&plan, &url).expect("the broker run completes");
    let right = compare::compare(&plan.expected, &observed);
    assert!(right.all_agree(), "{}", compare::render(&right));

    let mut wrong = plan.expected.clone();
    let poison = wrong
        .iter_mut()
        .find(|e| e.payload == "poison")
        .expect("the scenario sends a poison message");
    poison.facts.delivered = 3;
    let id = poison.id;
    let c = compare::compare(&wrong, &observed);
    let text = compare::render(&c);
    assert_eq!(c.differ, 1, "{text}");
    assert!(
        text.contains(&format!("msg {id}: delivered: engine 3, broker 4")),
        "{text}"
    );
}
