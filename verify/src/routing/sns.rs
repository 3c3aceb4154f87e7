//! The broker's side of an SNS routing check, on moto (or any SNS and SQS endpoint over plain
//! HTTP): creates the topic and its SQS queues under names unique to the run, subscribes each
//! queue with raw message delivery and its filter policy, publishes each message with its
//! producer's attributes, then reads which queues hold a copy (semantics notes §5).
//!
//! Attributes go with their JSON type as the SNS data type: a string as `String`, a number as
//! `Number`, a list as `String.Array`. So a policy's `"5"` and `5` are different values on the
//! broker as in the engine. SNS has no `basic.return`: a message that no filter policy accepts
//! is simply in no queue, which is its `unroutable` place. Everything created is deleted again,
//! whether or not the run succeeded.

use std::collections::BTreeMap;

use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{Map, Value};

use super::{facts_at, place_of, RoutingPlan};
use crate::compare::Facts;
use crate::sqs::{self, endpoint};
use crate::Error;

/// What one run created, for the clean-up.
#[derive(Default)]
struct Created {
    queues: Vec<String>,
    topic: Option<String>,
    subscriptions: Vec<String>,
}

/// An SNS message attribute from a publish edge's JSON value (see the module's notes).
pub fn attribute(name: &str, v: &Value) -> Result<MessageAttributeValue, Error> {
    let (data_type, text) = match v {
        Value::String(s) => ("String", s.clone()),
        Value::Number(n) => ("Number", n.to_string()),
        Value::Array(_) => ("String.Array", v.to_string()),
        other => {
            return Err(Error::File(format!(
                "attribute {name}: a string, a number or a list, not {other}"
            )))
        }
    };
    MessageAttributeValue::builder()
        .data_type(data_type)
        .string_value(text)
        .build()
        .map_err(|e| Error::File(format!("attribute {name}: {e}")))
}

/// Runs the check on the SNS and SQS endpoint at `url` (`sqs+http://HOST:PORT`): per message,
/// the queues it reached.
pub fn run(plan: &RoutingPlan, url: &str) -> Result<BTreeMap<u64, Facts>, Error> {
    let endpoint = endpoint(url)?;
    sqs::runtime()?.block_on(async {
        let conf = sqs::sdk_config(&endpoint);
        let (sqs_client, sns_client) = (
            aws_sdk_sqs::Client::new(&conf),
            aws_sdk_sns::Client::new(&conf),
        );
        sqs::reach(&sqs_client, url).await?;
        let mut created = Created::default();
        let outcome = exercise(&sqs_client, &sns_client, plan, &mut created).await;
        let cleaned = cleanup(&sqs_client, &sns_client, &created).await;
        let facts = outcome?;
        cleaned?;
        Ok(facts)
    })
}

async fn exercise(
    sqs_client: &aws_sdk_sqs::Client,
    sns: &aws_sdk_sns::Client,
    plan: &RoutingPlan,
    created: &mut Created,
) -> Result<BTreeMap<u64, Facts>, Error> {
    let prefix = sqs::run_prefix();
    let mut urls: BTreeMap<&str, String> = BTreeMap::new();
    let mut arns: BTreeMap<&str, String> = BTreeMap::new();
    for (q, _) in &plan.queues {
        let name = sqs::queue_name(&prefix, q, false);
        let url = sqs::create(sqs_client, &name, Vec::new(), &mut created.queues).await?;
        let arn = sqs::attribute(sqs_client, &url, QueueAttributeName::QueueArn).await?;
        urls.insert(q, url);
        arns.insert(q, arn);
    }
    let topic = sns
        .create_topic()
        .name(sqs::queue_name(&prefix, &plan.router, false))
        .send()
        .await
        .map_err(sqs::failed("CreateTopic"))?
        .topic_arn()
        .ok_or_else(|| Error::Broker("CreateTopic: no topic ARN".into()))?
        .to_owned();
    created.topic = Some(topic.clone());
    for b in &plan.bindings {
        let mut req = sns
            .subscribe()
            .topic_arn(&topic)
            .protocol("sqs")
            .endpoint(&arns[b.queue.as_str()])
            .attributes("RawMessageDelivery", "true")
            .return_subscription_arn(true);
        if let Some(policy) = &b.filter {
            req = req.attributes("FilterPolicy", policy.to_string());
        }
        let out = req.send().await.map_err(sqs::failed("Subscribe"))?;
        created
            .subscriptions
            .extend(out.subscription_arn().map(str::to_owned));
    }
    for m in &plan.messages {
        let mut req = sns
            .publish()
            .topic_arn(&topic)
            .message(format!("{{\"id\":{}}}", m.id));
        for (k, v) in m.attributes.iter().flat_map(Map::iter) {
            req = req.message_attributes(k, attribute(k, v)?);
        }
        req.send().await.map_err(sqs::failed("Publish"))?;
    }
    let mut reached: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for (q, url) in &urls {
        for id in drain(sqs_client, url).await? {
            reached.entry(id).or_default().push((*q).to_owned());
        }
    }
    let mut facts: BTreeMap<u64, Facts> = plan
        .messages
        .iter()
        .map(|m| (m.id, facts_at(place_of(Vec::new()))))
        .collect();
    // A copy of something never published shows as a difference.
    for (id, queues) in reached {
        facts.insert(id, facts_at(place_of(queues)));
    }
    Ok(facts)
}

/// Receives everything in the queue: the engine id of each copy. The copies are there when
/// `Publish` returns, so an empty receive ends it.
async fn drain(client: &aws_sdk_sqs::Client, url: &str) -> Result<Vec<u64>, Error> {
    let mut ids = Vec::new();
    loop {
        let out = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .send()
            .await
            .map_err(sqs::failed("ReceiveMessage"))?;
        let batch = out.messages();
        if batch.is_empty() {
            return Ok(ids);
        }
        for m in batch {
            let id = m
                .body()
                .and_then(|b| serde_json::from_str::<Value>(b).ok())
                .and_then(|v| v.get("id").and_then(Value::as_u64))
                .ok_or_else(|| {
                    Error::Broker(format!("{url}: a message not sent by this run: {m:?}"))
                })?;
            ids.push(id);
        }
    }
}

async fn cleanup(
    sqs_client: &aws_sdk_sqs::Client,
    sns: &aws_sdk_sns::Client,
    created: &Created,
) -> Result<(), Error> {
    let mut first_error = None;
    for s in &created.subscriptions {
        if let Err(e) = sns.unsubscribe().subscription_arn(s).send().await {
            first_error.get_or_insert(sqs::failed("Unsubscribe")(e));
        }
    }
    if let Some(t) = &created.topic {
        if let Err(e) = sns.delete_topic().topic_arn(t).send().await {
            first_error.get_or_insert(sqs::failed("DeleteTopic")(e));
        }
    }
    let queues = sqs::cleanup(sqs_client, &created.queues).await;
    first_error.map_or(queues, Err)
}
