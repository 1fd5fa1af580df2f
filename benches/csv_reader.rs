//! The hand-written CSV field splitter (`ingest::csv_fields`, what every CSV input goes
//! through) against `csv-core` (the `csv` crate's engine, already in the tree) on the same
//! generated text: both find every field of every record on one thread. The splitter keeps
//! each field as a span of the text; csv-core copies each into a buffer, as its API does.
//! `cargo bench --profile fast --bench csv_reader`; docs/performance.md has the numbers.

mod data;
use data::csv;

fn main() {
    // Both must find the same fields, or the comparison means nothing.
    let text = csv(2_000);
    let (hand, core) = (
        mttx::ingest::count_fields(text).unwrap(),
        csv_core_fields(text.as_bytes()),
    );
    assert_eq!(hand, core, "the two readers disagree on the fields");
    divan::main();
}

/// The fields csv-core finds in `text`.
fn csv_core_fields(text: &[u8]) -> usize {
    let mut reader = csv_core::Reader::new();
    let mut out = vec![0u8; 1 << 16];
    let (mut input, mut n) = (text, 0);
    loop {
        let (result, read, _) = reader.read_field(input, &mut out);
        input = &input[read..];
        match result {
            csv_core::ReadFieldResult::Field { .. } => n += 1,
            csv_core::ReadFieldResult::End => return n,
            csv_core::ReadFieldResult::InputEmpty | csv_core::ReadFieldResult::OutputFull => {}
        }
    }
}

const SIZES: [usize; 2] = [100_000, 1_000_000];

#[divan::bench(args = SIZES, sample_count = 10)]
fn hand_written(bencher: divan::Bencher, n: usize) {
    let text = csv(n);
    bencher.bench(|| mttx::ingest::count_fields(divan::black_box(text)).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn csv_core(bencher: divan::Bencher, n: usize) {
    let text = csv(n).as_bytes();
    bencher.bench(|| csv_core_fields(divan::black_box(text)));
}
