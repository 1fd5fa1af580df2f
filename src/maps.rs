//! Generic map helpers: a hash map with a fast hasher, and ids numbered as keys are first seen
//! then renumbered in the keys' order (how the tables dictionary-encode their keys).

use std::collections::HashMap;
use std::hash::Hash;

/// A hash map with a fast hasher, for integer and short text keys.
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Ids numbered as keys are first seen, renumbered at the end in the keys' order.
pub struct FirstSeen<K> {
    ids: FastMap<K, u32>,
    keys: Vec<K>,
}

impl<K: Copy + Eq + Hash + Ord> Default for FirstSeen<K> {
    fn default() -> FirstSeen<K> {
        FirstSeen {
            ids: FastMap::default(),
            keys: Vec::new(),
        }
    }
}

impl<K: Copy + Eq + Hash + Ord> FirstSeen<K> {
    /// `k`'s id, a new one when it is first seen.
    pub fn id(&mut self, k: K) -> u32 {
        let keys = &mut self.keys;
        *self.ids.entry(k).or_insert_with(|| {
            keys.push(k);
            (keys.len() - 1) as u32
        })
    }

    pub fn get(&self, k: &K) -> Option<u32> {
        self.ids.get(k).copied()
    }

    /// The final id of each first-seen id, and the keys by final id (in order).
    pub fn ranked(self) -> (Vec<u32>, Vec<K>) {
        let keys = self.keys;
        let mut by_key: Vec<u32> = (0..keys.len() as u32).collect();
        by_key.sort_unstable_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
        let mut rank = vec![0u32; keys.len()];
        for (r, &k) in by_key.iter().enumerate() {
            rank[k as usize] = r as u32;
        }
        (rank, by_key.iter().map(|&k| keys[k as usize]).collect())
    }
}
