//! The key → partition mapping is Kafka's own: murmur2 checked against the vectors in Kafka's
//! `UtilsTest.testMurmur2`, and `toPositive(hash) % partitions`.

use queue_engine::stream::{murmur2, partition_for};

#[test]
fn murmur2_matches_kafkas_test_vectors() {
    let cases: [(&[u8], i32); 6] = [
        (b"21", -973_932_308),
        (b"foobar", -790_332_482),
        (b"a-little-bit-long-string", -985_981_536),
        (b"a-little-bit-longer-string", -1_486_304_829),
        (
            b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
            -58_897_971,
        ),
        (b"abc", 479_470_107),
    ];
    for (data, expected) in cases {
        assert_eq!(murmur2(data), expected, "{}", String::from_utf8_lossy(data));
    }
}

#[test]
fn a_key_goes_to_the_positive_hash_modulo_the_partition_count() {
    // -790332482 & 0x7fffffff = 1357151166; 1357151166 % 4 = 2, % 7 = 0.
    assert_eq!(partition_for(b"foobar", 4), 2);
    assert_eq!(partition_for(b"foobar", 7), (1_357_151_166u32 % 7));
    for n in 1..=16 {
        for key in ["order-1", "order-2", "hot", ""] {
            let p = partition_for(key.as_bytes(), n);
            assert!(p < n);
            assert_eq!(p, partition_for(key.as_bytes(), n), "stable");
        }
    }
}
