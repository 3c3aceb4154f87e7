//! Native engine throughput. `cargo bench -p queue-engine`; `cargo xtask bench` adds the wasm
//! ratio and the memory peak.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use queue_engine::workload;

fn steady(c: &mut Criterion) {
    let w = workload::steady();
    let processed = workload::run(&w);
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(processed));
    group.sample_size(20);
    group.bench_function("steady 2000 msg/s x 60 s (lifecycles)", |b| {
        b.iter(|| workload::run(&w))
    });
    group.finish();
}

fn rush_hour(c: &mut Criterion) {
    let w = workload::rush_hour();
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.bench_function("friday rush hour (3.6 M messages)", |b| {
        b.iter(|| workload::run(&w))
    });
    group.finish();
}

fn partitioned_log(c: &mut Criterion) {
    let w = workload::partitioned_log();
    let processed = workload::run_stream(&w);
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(processed));
    group.sample_size(20);
    group.bench_function("partitioned log 8 partitions x 2 groups (records)", |b| {
        b.iter(|| workload::run_stream(&w))
    });
    group.finish();
}

criterion_group!(benches, steady, rush_hour, partitioned_log);
criterion_main!(benches);
