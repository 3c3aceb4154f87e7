//! The broker's side of a routing check: declares the exchange, its queues and bindings under
//! names unique to the run, publishes each message with `mandatory` and publisher confirms,
//! then reads which queues hold a copy. Everything declared is deleted again, whether or not
//! the run succeeded; the queues also carry `x-expires` and the exchange is auto-delete, so a
//! run killed half-way leaves nothing for long.

use std::collections::BTreeMap;

use lapin::options::{
    BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions, ExchangeDeleteOptions,
    QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldArray, FieldTable, ShortString};
use lapin::Confirmation;
use lapin::{BasicProperties, Connection, ExchangeKind};
use queue_engine::topology::RouterType;
use serde_json::{Map, Value};

use super::{facts_at, place_of, RoutingPlan};
use crate::broker::{
    connect, drain, failed, queue_type, run_prefix, runtime, text, SAFETY_EXPIRY_MS,
};
use crate::compare::Facts;
use crate::Error;

/// A JSON header or binding value as AMQP carries it. The type is kept: a string `"1"` and an
/// integer `1` are different values to a headers exchange (semantics notes §2.7).
pub fn amqp_value(v: &Value) -> AMQPValue {
    match v {
        Value::String(s) => text(s),
        Value::Bool(b) => AMQPValue::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => AMQPValue::LongLongInt(i),
            None => AMQPValue::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::Array(items) => AMQPValue::FieldArray(FieldArray::from(
            items.iter().map(amqp_value).collect::<Vec<_>>(),
        )),
        Value::Null | Value::Object(_) => AMQPValue::Void,
    }
}

/// A header table from a JSON object.
pub fn header_table(map: &Map<String, Value>) -> FieldTable {
    let mut t = FieldTable::default();
    for (k, v) in map {
        t.insert(ShortString::from(k.as_str()), amqp_value(v));
    }
    t
}

fn exchange_kind(k: RouterType) -> ExchangeKind {
    match k {
        RouterType::Direct => ExchangeKind::Direct,
        RouterType::Topic => ExchangeKind::Topic,
        RouterType::Headers => ExchangeKind::Headers,
        RouterType::Fanout | RouterType::Sns => ExchangeKind::Fanout,
    }
}

/// Runs the check on the broker at `url`: per message, the queues it reached.
pub fn run(plan: &RoutingPlan, url: &str) -> Result<BTreeMap<u64, Facts>, Error> {
    runtime(url)?.block_on(async {
        let conn = connect(url).await?;
        let prefix = run_prefix();
        let outcome = exercise(&conn, plan, &prefix).await;
        let cleaned = cleanup(&conn, plan, &prefix).await;
        let _ = conn.close(200, ShortString::from("qsim-verify done")).await;
        let facts = outcome?;
        cleaned?;
        Ok(facts)
    })
}

async fn exercise(
    conn: &Connection,
    plan: &RoutingPlan,
    prefix: &str,
) -> Result<BTreeMap<u64, Facts>, Error> {
    let ch = conn
        .create_channel()
        .await
        .map_err(failed("opening a channel"))?;
    let exchange = format!("{prefix}{}", plan.router);
    ch.exchange_declare(
        exchange.as_str().into(),
        exchange_kind(plan.kind),
        ExchangeDeclareOptions {
            auto_delete: true,
            ..ExchangeDeclareOptions::default()
        },
        FieldTable::default(),
    )
    .await
    .map_err(failed("declaring the exchange"))?;
    for (q, profile) in &plan.queues {
        let mut args = FieldTable::default();
        args.insert("x-queue-type".into(), text(queue_type(*profile)));
        args.insert("x-expires".into(), AMQPValue::LongLongInt(SAFETY_EXPIRY_MS));
        let durable = QueueDeclareOptions {
            durable: true,
            ..QueueDeclareOptions::default()
        };
        ch.queue_declare(format!("{prefix}{q}").as_str().into(), durable, args)
            .await
            .map_err(failed("declaring a queue"))?;
    }
    for b in &plan.bindings {
        let args = b.headers.as_ref().map(header_table).unwrap_or_default();
        ch.queue_bind(
            format!("{prefix}{}", b.queue).as_str().into(),
            exchange.as_str().into(),
            b.key.as_deref().unwrap_or("").into(),
            QueueBindOptions::default(),
            args,
        )
        .await
        .map_err(failed("binding a queue"))?;
    }
    ch.confirm_select(ConfirmSelectOptions::default())
        .await
        .map_err(failed("confirm.select"))?;
    let mut facts = BTreeMap::new();
    for m in &plan.messages {
        // The default exchange routes by queue name, and the queues carry the run's prefix.
        let (to, key) = if m.exchange.is_empty() {
            (String::new(), format!("{prefix}{}", m.key))
        } else {
            (exchange.clone(), m.key.clone())
        };
        let mut props = BasicProperties::default().with_message_id(m.id.to_string().into());
        if let Some(h) = &m.attributes {
            props = props.with_headers(header_table(h));
        }
        let confirm = ch
            .basic_publish(
                to.as_str().into(),
                key.as_str().into(),
                BasicPublishOptions {
                    mandatory: true,
                    ..BasicPublishOptions::default()
                },
                format!("{{\"id\":{}}}", m.id).as_bytes(),
                props,
            )
            .await
            .map_err(failed("basic.publish"))?
            .await
            .map_err(failed("publisher confirm"))?;
        match confirm {
            // §2.7: a mandatory publish that routes nowhere is returned, then acked.
            Confirmation::Ack(Some(_)) => {
                facts.insert(m.id, facts_at("unroutable".into()));
            }
            Confirmation::Ack(None) => {}
            other => {
                return Err(Error::Broker(format!(
                    "the broker did not accept message {} ({other:?})",
                    m.id
                )))
            }
        }
    }
    let mut reached: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for (q, _) in &plan.queues {
        for (id, _) in drain(&ch, &format!("{prefix}{q}")).await? {
            reached.entry(id).or_default().push(q.clone());
        }
    }
    for (id, queues) in reached {
        // A returned message that also sits in a queue would show both, as a difference.
        let place = match facts.get(&id) {
            Some(f) => format!("{} and {}", f.place, place_of(queues)),
            None => place_of(queues),
        };
        facts.insert(id, facts_at(place));
    }
    let _ = ch.close(200, ShortString::from("done")).await;
    Ok(facts)
}

async fn cleanup(conn: &Connection, plan: &RoutingPlan, prefix: &str) -> Result<(), Error> {
    let ch = conn
        .create_channel()
        .await
        .map_err(failed("opening a channel to clean up"))?;
    for (q, _) in &plan.queues {
        let q = format!("{prefix}{q}");
        ch.queue_delete(q.as_str().into(), QueueDeleteOptions::default())
            .await
            .map_err(|e| Error::Broker(format!("deleting queue {q}: {e}")))?;
    }
    let x = format!("{prefix}{}", plan.router);
    ch.exchange_delete(x.as_str().into(), ExchangeDeleteOptions::default())
        .await
        .map_err(|e| Error::Broker(format!("deleting exchange {x}: {e}")))?;
    let _ = ch.close(200, ShortString::from("cleaned up")).await;
    Ok(())
}
