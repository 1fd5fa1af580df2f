//! The generated input the benchmarks share: a canonical CSV of `n` incidents, 60 vendors.

use std::sync::OnceLock;

use mttx::generate::{GenOptions, generate_csv};

/// The generated CSV of `n` incidents (60 vendors, seed 1), made once per size.
pub fn csv(n: usize) -> &'static str {
    static CACHE: OnceLock<std::sync::Mutex<Vec<(usize, &'static str)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut c = cache.lock().unwrap();
    if let Some((_, s)) = c.iter().find(|(k, _)| *k == n) {
        return s;
    }
    let s: &'static str = Box::leak(
        generate_csv(&GenOptions {
            incidents: n,
            vendors: 60,
            seed: 1,
            ..GenOptions::default()
        })
        .into_boxed_str(),
    );
    c.push((n, s));
    s
}
