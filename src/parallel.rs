//! Every core on a list of independent jobs. [`map`], [`map_with`] (with scratch state) and
//! [`each`] are rayon's parallel iterators, results in the items' order. Two needs rayon has no
//! primitive for are kept here: [`map_on`], a fixed number of threads for jobs that mostly
//! wait (requests to a server that allows a few at once: they must not hold rayon's workers),
//! and [`ordered`], a stream of results consumed in order as they come (a file written while
//! its next parts are rendered), at most a few computed ahead.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;

/// `f` of every item, computed on every core, in the items' order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    items.par_iter().map(&f).collect()
}

/// [`map`] with a state made by `init` for each run of items a thread takes, handed to each
/// `f` of the run: scratch buffers that the items reuse instead of allocating their own.
pub fn map_with<T: Sync, S, R: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    items.par_iter().map_init(&init, &f).collect()
}

/// [`map_with`] on `threads` threads, whatever the cores: for jobs that mostly wait (requests
/// to a server that allows a few at once).
pub fn map_on<T: Sync, S, R: Send>(
    threads: usize,
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        let mut state = init();
        return items.iter().map(|item| f(&mut state, item)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (next, init, f) = (&next, &init, &f);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    let mut state = init();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(&mut state, item)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// `f` of each item, on every core; the results in the items' order. For a few items of about
/// equal size (a chunk's parts).
pub fn each<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    items.into_par_iter().map(&f).collect()
}

/// `f(0)`, `f(1)`, .. `f(count - 1)` computed on every core and handed to `sink` in order on
/// the calling thread, at most a few per core computed ahead. The first error of `sink` stops
/// the rest and is returned.
pub fn ordered<R: Send, E>(
    count: usize,
    f: impl Fn(usize) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads <= 1 || count <= 1 {
        return (0..count).try_for_each(|i| sink(f(i)));
    }
    let (next, stop) = (AtomicUsize::new(0), AtomicBool::new(false));
    // How many the sink has taken: no one computes further than `ahead` past it.
    let (taken, ahead) = (AtomicUsize::new(0), 2 * threads);
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<(usize, R)>(threads);
        for _ in 0..threads {
            let (tx, next, stop, taken, f) = (tx.clone(), &next, &stop, &taken, &f);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    while i >= taken.load(Ordering::Relaxed) + ahead
                        && !stop.load(Ordering::Relaxed)
                    {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                    // A closed channel means the sink stopped.
                    if tx.send((i, f(i))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting = BTreeMap::new();
        let mut want = 0;
        let mut result = Ok(());
        while want < count {
            let Ok((i, r)) = rx.recv() else { break };
            waiting.insert(i, r);
            while let Some(r) = waiting.remove(&want) {
                want += 1;
                taken.store(want, Ordering::Relaxed);
                if let Err(e) = sink(r) {
                    result = Err(e);
                    break;
                }
            }
            if result.is_err() {
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
        drop(rx);
        result
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_in_the_items_order() {
        let items: Vec<u64> = (0..1000).collect();
        let out = super::map(&items, |x| x * x);
        assert_eq!(out, items.iter().map(|x| x * x).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u8], |x| *x).is_empty());
        assert_eq!(super::each(vec![3, 1, 2], |x| x * 10), [30, 10, 20]);
        assert!(super::each(Vec::<u8>::new(), |x| x).is_empty());
    }

    #[test]
    fn each_thread_keeps_its_state_across_its_items() {
        // Each thread counts the items it ran: the counts seen add up to the items, and each
        // item saw a count of at least 1 (its own).
        let items: Vec<u32> = (0..200).collect();
        let out = super::map_with(
            &items,
            || 0u32,
            |ran, &x| {
                *ran += 1;
                (x, *ran)
            },
        );
        assert_eq!(out.iter().map(|(x, _)| *x).collect::<Vec<_>>(), items);
        assert!(out.iter().all(|(_, ran)| *ran >= 1));
        assert!(out.iter().any(|(_, ran)| *ran > 1));
    }

    #[test]
    fn a_stream_arrives_in_order_and_stops_at_the_first_error() {
        let mut got = Vec::new();
        let ok: Result<(), ()> = super::ordered(
            500,
            |i| i * 2,
            |x| {
                got.push(x);
                Ok(())
            },
        );
        assert!(ok.is_ok());
        assert_eq!(got, (0..500).map(|i| i * 2).collect::<Vec<_>>());
        let mut seen = 0;
        let err = super::ordered(
            10_000,
            |i| i,
            |x| {
                seen += 1;
                if x == 7 { Err(x) } else { Ok(()) }
            },
        );
        assert_eq!(err, Err(7));
        assert_eq!(seen, 8);
    }
}
