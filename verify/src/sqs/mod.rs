//! The broker's side for SQS: replays a [`Plan`] on an SQS endpoint (moto's server mode, or any
//! SQS-compatible endpoint reached over plain HTTP) through the AWS SDK for Rust, and records,
//! per message, how often it was received, how often processed, and where it ended.
//!
//! # How a run goes
//! 1. Create the dead-letter queue (if any), read its ARN, then the queue, with the
//!    attributes of [`queue_attributes`]: `VisibilityTimeout` in whole seconds (already
//!    scaled), `FifoQueue`, and `RedrivePolicy` with `maxReceiveCount`. Names are unique to the
//!    run: `qsim-<pid>-<n>-<node>` (plus `.fifo` on FIFO queues).
//! 2. Start the consumer pool: each long-polls for one message at a time. Every message is
//!    held for the pool's processing time (scaled), as the engine's consumer spends it on
//!    failures too. A poison message then fails: it is left undeleted, so it comes back when
//!    its visibility timeout runs out, or released with `ChangeMessageVisibility 0` when the
//!    scenario says `retry: immediate`. With `on_invalid: discard` it is deleted unprocessed;
//!    any other message is processed and deleted.
//! 3. Send the engine's messages at their simulated times (scaled); a FIFO message carries
//!    `MessageGroupId` `g<group>` and its engine id as `MessageDeduplicationId`.
//! 4. When the engine settles every message, end as soon as the broker has settled as many
//!    (deleted, or waiting in the dead-letter queue); otherwise run the whole window. Then
//!    read the dead-letter queue; whatever was neither deleted nor moved is still queued,
//!    checked against the queue's own message counts.
//! 5. Delete both queues, whether or not the run succeeded. SQS has no queue expiry, so a run
//!    killed half-way leaves its queues; `cargo xtask verify` runs a private moto that goes
//!    with them.

mod wire;

pub use wire::{body, endpoint, parse_body, queue_attributes, Names};
pub(crate) use wire::{queue_name, run_prefix};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sqs::error::{DisplayErrorContext, SdkError};
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use aws_sdk_sqs::Client;
use aws_types::sdk_config::{RetryConfig, SharedCredentialsProvider, TimeoutConfig};
use aws_types::SdkConfig;
use queue_engine::BatchFailure;
use tokio::time::{sleep, sleep_until, Instant};

use crate::compare::Facts;
use crate::plan::Plan;
use crate::Error;

/// How to start an endpoint, for the message when none answers.
pub const HOW_TO_START: &str = "start moto's server with \
    `python3 -m venv ~/.cache/queue-playground/moto-5.2.5 && \
    ~/.cache/queue-playground/moto-5.2.5/bin/pip install 'moto[server]==5.2.5' && \
    ~/.cache/queue-playground/moto-5.2.5/bin/moto_server -H 127.0.0.1 -p 5055` \
    and pass `--broker sqs+http://127.0.0.1:5055` (`cargo xtask verify` does all of this)";

/// How often a settling run checks whether the broker has settled every message.
const POLL: Duration = Duration::from_millis(100);
/// A receive that found nothing with less than a second left (no long poll) waits this long.
const SHORT_POLL_GAP: Duration = Duration::from_millis(50);

/// What the consumers saw, by message id.
#[derive(Default)]
struct Seen {
    /// The highest `ApproximateReceiveCount` the broker reported on a receive.
    received: BTreeMap<u64, u32>,
    processed: BTreeMap<u64, u32>,
    /// `processed` or `deleted` (deleted unprocessed), once a delete succeeded.
    answered: BTreeMap<u64, &'static str>,
    /// FIFO: rank among its group's processed messages, and the next rank per group.
    order: BTreeMap<u64, u32>,
    group_done: BTreeMap<String, u32>,
}

/// The settings both AWS clients (SQS here, SNS in the routing check) share: a local endpoint
/// over plain HTTP, any credentials, no retries.
pub(crate) fn sdk_config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        // moto accepts any credentials; a real endpoint would need real ones.
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "qsim",
            "qsim",
            None,
            None,
            "qsim-verify",
        )))
        .endpoint_url(endpoint)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        // A retried call could receive or delete twice behind our back: every call once.
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_timeout(Duration::from_secs(30))
                .build(),
        )
        .build()
}

/// The one-thread runtime a run's calls go through.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Broker(format!("cannot start the async runtime: {e}")))
}

/// Fails with how to start moto when no SQS endpoint answers at `url`. The first call tells
/// an endpoint that is not there from one that refuses something.
pub(crate) async fn reach(client: &Client, url: &str) -> Result<(), Error> {
    match client.list_queues().queue_name_prefix("qsim-").send().await {
        Ok(_) => Ok(()),
        Err(e) => {
            let why = match &e {
                SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => "cannot reach",
                _ => "no SQS answer from",
            };
            Err(Error::Broker(format!(
                "{why} the SQS endpoint at {url} ({}); {HOW_TO_START}",
                DisplayErrorContext(&e)
            )))
        }
    }
}

pub(crate) fn failed<E: std::error::Error + 'static, R: std::fmt::Debug>(
    what: &'static str,
) -> impl Fn(SdkError<E, R>) -> Error {
    move |e| Error::Broker(format!("{what}: {}", DisplayErrorContext(&e)))
}

/// Replays the plan on the SQS endpoint at `url` (`sqs+http://HOST:PORT`) and returns what
/// happened to each message.
pub fn run(plan: &Plan, url: &str) -> Result<BTreeMap<u64, Facts>, Error> {
    let endpoint = endpoint(url)?;
    runtime()?.block_on(async {
        let client = Client::new(&sdk_config(&endpoint));
        reach(&client, url).await?;
        let names = Names::new(&plan.queue);
        let mut created = Vec::new();
        let outcome = exercise(&client, plan, &names, &mut created).await;
        let cleaned = cleanup(&client, &created).await;
        let facts = outcome?;
        cleaned?;
        Ok(facts)
    })
}

pub(crate) async fn create(
    client: &Client,
    name: &str,
    attrs: Vec<(QueueAttributeName, String)>,
    created: &mut Vec<String>,
) -> Result<String, Error> {
    let mut req = client.create_queue().queue_name(name);
    for (k, v) in attrs {
        req = req.attributes(k, v);
    }
    let out = req.send().await.map_err(failed("CreateQueue"))?;
    let url = out
        .queue_url()
        .ok_or_else(|| Error::Broker(format!("CreateQueue {name}: no queue URL")))?
        .to_owned();
    created.push(url.clone());
    Ok(url)
}

pub(crate) async fn attribute(
    client: &Client,
    url: &str,
    name: QueueAttributeName,
) -> Result<String, Error> {
    let out = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(name.clone())
        .send()
        .await
        .map_err(failed("GetQueueAttributes"))?;
    out.attributes()
        .and_then(|a| a.get(&name))
        .cloned()
        .ok_or_else(|| Error::Broker(format!("GetQueueAttributes: no {name} for {url}")))
}

async fn count(client: &Client, url: &str, names: &[QueueAttributeName]) -> Result<usize, Error> {
    let mut n = 0;
    for name in names {
        n += attribute(client, url, name.clone())
            .await?
            .parse::<usize>()
            .map_err(|e| Error::Broker(format!("{name} is not a count: {e}")))?;
    }
    Ok(n)
}

/// How long a batch receive gathers at least (see `window` where the consumers start).
const SAME_INSTANT: Duration = Duration::from_millis(50);

struct Consumer {
    client: Client,
    url: String,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
    hold: Duration,
    discard_invalid: bool,
    release_at_once: bool,
    fifo: bool,
    batch_size: i32,
    window: Duration,
    mode: BatchFailure,
    /// When the pool comes online.
    online_at: Instant,
    deadline: Instant,
}

/// One received message, as the consumer handles it.
struct Held {
    id: u64,
    poison: bool,
    group: String,
    receipt: String,
}

impl Consumer {
    /// Receives up to `batch_size` messages, gathering for up to `window` once the first
    /// arrives, as Lambda's event source mapping does (semantics notes §1.5).
    async fn receive(&self) -> Result<Vec<Held>, Error> {
        let mut batch = Vec::new();
        let mut gather_until = None;
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            let want = self.batch_size - batch.len() as i32;
            if left.is_zero() || want == 0 || self.stop.load(Ordering::Relaxed) {
                return Ok(batch);
            }
            // Long polls that end before the window does, so nothing is received after it;
            // while gathering, short ones until the batch window closes.
            let wait = match gather_until {
                Some(until) if Instant::now() >= until => return Ok(batch),
                Some(_) => 0,
                None => left.as_secs().min(1) as i32,
            };
            let out = self
                .client
                .receive_message()
                .queue_url(&self.url)
                .max_number_of_messages(want)
                .wait_time_seconds(wait)
                .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
                .message_system_attribute_names(MessageSystemAttributeName::MessageGroupId)
                .send()
                .await
                .map_err(failed("ReceiveMessage"))?;
            let messages = out.messages.unwrap_or_default();
            if messages.is_empty() && wait == 0 {
                sleep(SHORT_POLL_GAP).await;
            }
            for m in messages {
                let Some((id, poison)) = m.body().and_then(parse_body) else {
                    continue;
                };
                let attrs = m.attributes();
                let get = |k: MessageSystemAttributeName| attrs.and_then(|a| a.get(&k)).cloned();
                let receives = get(MessageSystemAttributeName::ApproximateReceiveCount)
                    .and_then(|n| n.parse::<u32>().ok())
                    .unwrap_or(0);
                {
                    let mut seen = self.seen.lock().expect("no panics while held");
                    let r = seen.received.entry(id).or_default();
                    *r = (*r).max(receives);
                }
                batch.push(Held {
                    id,
                    poison,
                    group: get(MessageSystemAttributeName::MessageGroupId).unwrap_or_default(),
                    receipt: m.receipt_handle().unwrap_or_default().to_owned(),
                });
            }
            if !batch.is_empty() && gather_until.is_none() {
                if self.window.is_zero() {
                    return Ok(batch);
                }
                gather_until = Some(Instant::now() + self.window);
            }
        }
    }

    /// Receives, processes and answers a batch at a time until the deadline or `stop`: each
    /// message is held for the processing time in turn; then the batch-failure mode says which
    /// are deleted (§1.5). A failed one is left to its visibility timeout or, with
    /// `retry: immediate`, released with `ChangeMessageVisibility 0`.
    async fn run(self) -> Result<(), Error> {
        sleep_until(self.online_at).await;
        while !self.stop.load(Ordering::Relaxed) {
            if Instant::now() >= self.deadline {
                return Ok(());
            }
            let batch = self.receive().await?;
            // (message, delete it, failed or not run)
            let mut answers = Vec::new();
            let mut stopped = false;
            for m in &batch {
                if stopped {
                    answers.push((m, false));
                    continue;
                }
                if Instant::now() + self.hold > self.deadline {
                    // Still processing when the window closes: left unanswered, like the
                    // engine's in-flight batch at `until`.
                    return Ok(());
                }
                sleep(self.hold).await;
                let fails = m.poison && !self.discard_invalid;
                if !m.poison {
                    let mut seen = self.seen.lock().expect("no panics while held");
                    *seen.processed.entry(m.id).or_default() += 1;
                    if self.fifo && !seen.order.contains_key(&m.id) {
                        let next = seen.group_done.entry(m.group.clone()).or_default();
                        let rank = *next;
                        *next += 1;
                        seen.order.insert(m.id, rank);
                    }
                }
                stopped = fails && self.mode == BatchFailure::StopAtFirst;
                answers.push((m, !fails));
            }
            let any_failed = answers.iter().any(|(_, ok)| !ok);
            for (m, ok) in answers {
                let delete = ok && !(any_failed && self.mode == BatchFailure::WholeBatch);
                if !delete {
                    if self.release_at_once {
                        self.client
                            .change_message_visibility()
                            .queue_url(&self.url)
                            .receipt_handle(&m.receipt)
                            .visibility_timeout(0)
                            .send()
                            .await
                            .map_err(failed("ChangeMessageVisibility"))?;
                    }
                    continue;
                }
                let deleted = self
                    .client
                    .delete_message()
                    .queue_url(&self.url)
                    .receipt_handle(&m.receipt)
                    .send()
                    .await;
                // A refused delete (a receipt the broker no longer honours) leaves the message
                // where it is, as the engine's stale delete does: not an error of the run.
                if deleted.is_ok() {
                    let place = if m.poison { "deleted" } else { "processed" };
                    self.seen
                        .lock()
                        .expect("no panics while held")
                        .answered
                        .insert(m.id, place);
                }
            }
        }
        Ok(())
    }
}

async fn exercise(
    client: &Client,
    plan: &Plan,
    names: &Names,
    created: &mut Vec<String>,
) -> Result<BTreeMap<u64, Facts>, Error> {
    let q = &plan.queue;
    let mut dlq_url = None;
    let mut dlq_arn = None;
    if let Some(dlq) = &names.dlq {
        let url = create(client, dlq, queue_attributes(q, true, None), created).await?;
        dlq_arn = Some(attribute(client, &url, QueueAttributeName::QueueArn).await?);
        dlq_url = Some(url);
    }
    let attrs = queue_attributes(q, false, dlq_arn.as_deref());
    let url = create(client, &names.queue, attrs, created).await?;

    let start = Instant::now();
    let deadline = start + plan.wall(plan.until);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..plan.consumers {
        let consumer = Consumer {
            client: client.clone(),
            url: url.clone(),
            seen: seen.clone(),
            stop: stop.clone(),
            hold: plan.wall(plan.processing),
            discard_invalid: plan.discard_invalid,
            release_at_once: plan.release_at_once,
            fifo: q.fifo(),
            batch_size: plan.batch_size as i32,
            // Messages that come back at the same simulated instant (a batch's failures after
            // one visibility timeout) are visible a few ms apart on the broker: a receive that
            // asks for a batch gathers them for SAME_INSTANT even without a batch window.
            window: if plan.batch_size > 1 {
                plan.wall(plan.batch_window).max(SAME_INSTANT)
            } else {
                Duration::ZERO
            },
            mode: plan.batch_failure,
            online_at: start + plan.wall(plan.start_at),
            deadline,
        };
        tasks.push(tokio::spawn(consumer.run()));
    }
    for p in &plan.publishes {
        sleep_until(start + plan.wall(p.at)).await;
        let mut req = client.send_message().queue_url(&url).message_body(body(p));
        if q.fifo() {
            let dedup = plan.resend_of.get(&p.id).copied().unwrap_or(p.id);
            req = req
                .message_group_id(format!("g{}", p.group))
                .message_deduplication_id(dedup.to_string());
        }
        req.send().await.map_err(failed("SendMessage"))?;
    }
    let at_publish = crate::plan::settled_at_publish(&plan.expected);
    if crate::broker::settles(plan) {
        while Instant::now() < deadline {
            let answered = seen.lock().expect("no panics while held").answered.len();
            let dead = match &dlq_url {
                Some(d) => {
                    count(
                        client,
                        d,
                        &[QueueAttributeName::ApproximateNumberOfMessages],
                    )
                    .await?
                }
                None => 0,
            };
            if answered + dead + at_publish >= plan.expected.len() {
                break;
            }
            sleep(POLL).await;
        }
        stop.store(true, Ordering::Relaxed);
    }
    for t in tasks {
        t.await
            .map_err(|e| Error::Broker(format!("a consumer task failed: {e}")))??;
    }

    let seen = std::mem::take(&mut *seen.lock().expect("no panics while held"));
    let mut dead = BTreeSet::new();
    if let Some(d) = &dlq_url {
        dead = drain(client, d).await?;
    }
    let mut facts = BTreeMap::new();
    let mut queued = Vec::new();
    let mut resends = Vec::new();
    for p in &plan.publishes {
        let place = if let Some(a) = seen.answered.get(&p.id) {
            *a
        } else if dead.contains(&p.id) {
            "dead_lettered"
        } else if plan.resend_of.contains_key(&p.id) && !seen.received.contains_key(&p.id) {
            // A resend never received: accepted and dropped (§1.4), provided the queue's own
            // counts hold nothing unaccounted for (checked below).
            resends.push(p.id);
            "deduplicated"
        } else {
            queued.push(p.id);
            "queued"
        };
        facts.insert(
            p.id,
            Facts {
                delivered: seen.received.get(&p.id).copied().unwrap_or(0),
                processed: seen.processed.get(&p.id).copied().unwrap_or(0),
                place: place.into(),
                order: seen.order.get(&p.id).copied(),
                death: None,
            },
        );
    }
    // What was neither deleted nor moved must still be in the queue, visible or in flight.
    let left = count(
        client,
        &url,
        &[
            QueueAttributeName::ApproximateNumberOfMessages,
            QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            QueueAttributeName::ApproximateNumberOfMessagesDelayed,
        ],
    )
    .await?;
    if left != queued.len() {
        for id in queued.into_iter().chain(resends) {
            if let Some(f) = facts.get_mut(&id) {
                f.place = format!("unaccounted ({left} in the queue)");
            }
        }
    }
    Ok(facts)
}

/// The engine ids of every message in the dead-letter queue. Nothing consumes that queue and it
/// has no redrive policy, so receiving from it moves nothing; each message is hidden once
/// received, so the loop ends when all were seen.
async fn drain(client: &Client, url: &str) -> Result<BTreeSet<u64>, Error> {
    let mut ids = BTreeSet::new();
    loop {
        let out = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .visibility_timeout(60)
            .send()
            .await
            .map_err(failed("ReceiveMessage (dead-letter queue)"))?;
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(ids);
        }
        ids.extend(
            messages
                .iter()
                .filter_map(|m| m.body().and_then(parse_body))
                .map(|(id, _)| id),
        );
    }
}

/// Deletes every queue the run created, the source first (its redrive policy names the DLQ).
pub(crate) async fn cleanup(client: &Client, created: &[String]) -> Result<(), Error> {
    let mut first_error = None;
    for url in created.iter().rev() {
        if let Err(e) = client.delete_queue().queue_url(url).send().await {
            first_error.get_or_insert(Error::Broker(format!(
                "deleting queue {url}: {}",
                DisplayErrorContext(&e)
            )));
        }
    }
    first_error.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_endpoint_says_how_to_start_moto() {
        let file = format!(
            "{}/scenarios/sqs-poison-to-dlq.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let plan = crate::plan::load(&file, None).expect("the scenario loads");
        // Port 1 is never an endpoint: the connection is refused at once.
        let Err(Error::Broker(m)) = run(&plan, "sqs+http://127.0.0.1:1") else {
            panic!("a broker error")
        };
        assert!(
            m.contains("cannot reach the SQS endpoint at sqs+http://127.0.0.1:1"),
            "{m}"
        );
        assert!(m.contains("moto_server -H 127.0.0.1"), "{m}");
        // The wrong broker for the profile is refused before anything runs.
        let Err(Error::File(m)) = crate::verify(&file, "amqp://127.0.0.1:1", None) else {
            panic!("a file error")
        };
        assert!(
            m.contains("nodes.orders.queue.profile is sqs_standard"),
            "{m}"
        );
        assert!(m.contains("sqs+http://"), "{m}");
    }
}
