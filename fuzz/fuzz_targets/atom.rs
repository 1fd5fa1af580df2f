//! Fuzz target: arbitrary bytes read as an Atom history (`.atom`, `.xml`) through the whole
//! ingest (entries, update times, validation, rejects). It must never panic; every outcome is
//! accepted rows, rejects or an error.
#![no_main]

use std::borrow::Cow;

use libfuzzer_sys::fuzz_target;
use mttx::ingest::{self, Format, IngestOptions, Input};

fuzz_target!(|data: &[u8]| {
    let input = Input::Bytes {
        name: "fuzz".into(),
        format: Format::Atom,
        bytes: Cow::Owned(data.to_vec()),
    };
    if let Ok(ing) = ingest::read(&[input], &IngestOptions::default()) {
        assert_eq!(ing.counts.accepted + ing.counts.rejected, ing.counts.read);
    }
});
