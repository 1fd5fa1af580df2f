//! Each stage of a report on generated incidents (10k, 100k, 1M; 60 vendors): ingest of the
//! CSV bytes, the time-to-x aggregates, the interval sweep with availability, CSV writing and
//! chart rendering. `cargo bench --bench stages`; docs/performance.md has the numbers.

use divan::Bencher;
use mttx::ingest::{self, Format, IngestOptions, Ingested, Input};
use mttx::metrics::{self, Options, SlaTargets};
use mttx::model::{Anchor, WeightPreset, Weights};
use mttx::period::ReportWindow;
use std::borrow::Cow;

mod data;
use data::csv;

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

fn main() {
    divan::main();
}

fn read(n: usize) -> Ingested {
    ingest::read(
        &[Input::Bytes {
            name: "bench.csv".into(),
            format: Format::Csv,
            bytes: Cow::Borrowed(csv(n).as_bytes()),
        }],
        &IngestOptions::default(),
    )
    .unwrap()
}

fn options(ing: &Ingested) -> Options {
    let span = metrics::data_span(&ing.incidents, &ing.impacts).unwrap();
    Options {
        period: ReportWindow::spanning(chrono_tz::Tz::UTC, span.0, span.1).unwrap(),
        anchor: Anchor::Started,
        weights: Weights::preset(WeightPreset::Statuspage),
        sla: SlaTargets::default(),
    }
}

#[divan::bench(args = SIZES, sample_count = 3)]
fn ingest_csv(b: Bencher, n: usize) {
    csv(n);
    b.bench(|| read(n));
}

#[divan::bench(args = SIZES, sample_count = 3)]
fn time_to_x(b: Bencher, n: usize) {
    let ing = read(n);
    let o = options(&ing);
    b.bench(|| {
        metrics::report_metric_rows(&ing.incidents, &ing.impacts, &o.period, o.anchor).unwrap()
    });
}

#[divan::bench(args = SIZES, sample_count = 3)]
fn sweep_and_availability(b: Bencher, n: usize) {
    let ing = read(n);
    let o = options(&ing);
    b.bench(|| metrics::availability(&ing.incidents, &ing.impacts, &o).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 3)]
fn csv_writing(b: Bencher, n: usize) {
    let ing = read(n);
    let c = metrics::compute(&ing.incidents, &ing.impacts, &options(&ing)).unwrap();
    b.bench(|| {
        (
            mttx::report::csv::incidents(&c.incidents, false).join(),
            mttx::report::csv::metrics(&c.metrics, false),
            mttx::report::csv::availability(&c.availability, false),
        )
    });
}

#[divan::bench(args = SIZES, sample_count = 3)]
fn chart_rendering(b: Bencher, n: usize) {
    let ing = read(n);
    let o = options(&ing);
    let c = metrics::compute(&ing.incidents, &ing.impacts, &o).unwrap();
    b.bench(|| {
        let t = mttx::chart::timeline::Timeline::from_rows(&c.windows, &c.availability, &o.period);
        let u = mttx::chart::uptime::Uptime::overview(&c.daily);
        (mttx::chart::svg(&t).unwrap(), mttx::chart::png(&u).unwrap())
    });
}
