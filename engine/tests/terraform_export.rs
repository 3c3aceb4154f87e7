//! A topology's AWS part as Terraform: SNS topics, SQS queues with their redrive policies
//! (semantics notes §1.1, §1.3), the topics' subscriptions with their filter policies and the
//! queue policies that let a topic deliver (§5). What AWS has no equivalent for is refused by
//! node.

use queue_engine::topology::terraform::export;
use queue_engine::ScenarioV2;

fn file(name: &str) -> ScenarioV2 {
    let path = format!("{}/../scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    ScenarioV2::from_json(&std::fs::read_to_string(path).expect("readable")).expect("valid")
}

/// The body of `resource "KIND" "NAME" { … }` in `hcl`.
fn resource<'a>(hcl: &'a str, kind: &str, name: &str) -> &'a str {
    let head = format!("resource \"{kind}\" \"{name}\" {{\n");
    let start = hcl
        .find(&head)
        .unwrap_or_else(|| panic!("{head} in\n{hcl}"))
        + head.len();
    let end = hcl[start..].find("\n}\n").map_or(hcl.len(), |e| start + e);
    &hcl[start..end]
}

#[test]
fn a_topic_with_four_subscriptions_is_a_topic_eight_queues_and_the_policies_between() {
    let hcl = export(&file("video-upload.json").topology).expect("all AWS");
    let count = |kind: &str| hcl.matches(&format!("resource \"{kind}\"")).count();
    assert_eq!(count("aws_sns_topic"), 1);
    assert_eq!(count("aws_sqs_queue"), 8, "four queues and their DLQs");
    assert_eq!(count("aws_sns_topic_subscription"), 4);
    assert_eq!(count("aws_sqs_queue_policy"), 4, "one per subscribed queue");
    // The producer and the consumer pools have no place in it.
    assert!(
        !hcl.contains("upload-service") && !hcl.contains("\"transcoder\""),
        "{hcl}"
    );
    // §1.3: the delivery limit is the redrive policy's maxReceiveCount; a DLQ has none.
    let q = resource(&hcl, "aws_sqs_queue", "transcoder_queue");
    assert!(
        q.contains("name                       = \"transcoder-queue\""),
        "{q}"
    );
    assert!(
        q.contains("deadLetterTargetArn = aws_sqs_queue.transcoder_dlq.arn"),
        "{q}"
    );
    assert!(q.contains("maxReceiveCount     = 3"), "{q}");
    assert!(!resource(&hcl, "aws_sqs_queue", "transcoder_dlq").contains("redrive_policy"));
    // §1.1: unset lock and retention are SQS's defaults, written out.
    assert!(q.contains("visibility_timeout_seconds = 30"), "{q}");
    assert!(q.contains("message_retention_seconds  = 345600"), "{q}");
    // §5: the subscription delivers to the queue, which lets this topic, and only it, send.
    let sub = resource(
        &hcl,
        "aws_sns_topic_subscription",
        "video_uploaded_to_indexer_queue",
    );
    assert!(
        sub.contains("topic_arn = aws_sns_topic.video_uploaded.arn"),
        "{sub}"
    );
    assert!(sub.contains("protocol  = \"sqs\""), "{sub}");
    assert!(
        sub.contains("endpoint  = aws_sqs_queue.indexer_queue.arn"),
        "{sub}"
    );
    let policy = resource(&hcl, "aws_sqs_queue_policy", "indexer_queue");
    assert!(
        policy.contains("Service = \"sns.amazonaws.com\""),
        "{policy}"
    );
    assert!(
        policy.contains("Action    = \"sqs:SendMessage\""),
        "{policy}"
    );
    assert!(
        policy.contains("\"aws:SourceArn\" = [aws_sns_topic.video_uploaded.arn]"),
        "{policy}"
    );
}

#[test]
fn a_long_poll_filter_policy_and_fifo_are_written_as_aws_names_them() {
    let s = ScenarioV2::from_json(
        r#"{ "version": 2, "nodes": {
            "p": { "producer": { "rate": 1, "groups": 2 } },
            "t": { "router": { "type": "sns" } },
            "eu": { "queue": { "profile": "sqs_fifo", "receive_wait": "20s", "visibility_timeout": "45s" } },
            "w": { "consumer": {} } },
          "edges": [
            { "kind": "publish", "from": "p", "to": "t", "attributes": { "region": "eu${x}", "n": 1 } },
            { "kind": "bind", "from": "t", "to": "eu", "filter": { "region": ["eu${x}"], "n": [{ "numeric": [">", 0] }] } },
            { "kind": "subscribe", "from": "eu", "to": "w" } ] }"#,
    )
    .expect("valid");
    let hcl = export(&s.topology).expect("all AWS");
    let q = resource(&hcl, "aws_sqs_queue", "eu");
    assert!(
        q.contains("name                       = \"eu.fifo\""),
        "{q}"
    );
    assert!(q.contains("fifo_queue                 = true"), "{q}");
    assert!(q.contains("receive_wait_time_seconds  = 20"), "{q}");
    assert!(q.contains("visibility_timeout_seconds = 45"), "{q}");
    // §5: a FIFO queue's topic is a FIFO topic. The attributes line up, and the filter policy
    // is written, as `terraform fmt` writes them (this text passes `terraform fmt -check`,
    // Terraform 1.11.4), so a copied file needs no reformatting.
    assert_eq!(
        resource(&hcl, "aws_sns_topic", "t"),
        "  name       = \"t.fifo\"\n  fifo_topic = true"
    );
    assert_eq!(
        resource(&hcl, "aws_sns_topic_subscription", "t_to_eu"),
        [
            "  topic_arn     = aws_sns_topic.t.arn",
            "  protocol      = \"sqs\"",
            "  endpoint      = aws_sqs_queue.eu.arn",
            r#"  filter_policy = jsonencode({ "n" : [{ "numeric" : [">", 0] }], "region" : ["eu$${x}"] })"#,
        ]
        .join("\n"),
        "HCL's template marker in a value is escaped, so it is taken literally"
    );
}

#[test]
fn what_aws_has_no_equivalent_for_is_refused_by_node() {
    let broker = export(&file("rabbitmq-pizza.json").topology).expect_err("exchanges");
    assert_eq!(
        broker.to_string(),
        "nodes.orders: expected an SNS topic (Terraform for AWS); got a topic exchange"
    );
    let bus = export(&file("service-bus-orders.json").topology).expect_err("Service Bus");
    assert!(
        bus.to_string()
            .contains("expected an sqs_standard or sqs_fifo queue (Terraform for AWS); got a service_bus queue"),
        "{bus}"
    );
    let log = export(&file("orders-log.json").topology).expect_err("a log");
    assert!(log.to_string().ends_with("got a log"), "{log}");
}
