//! A table of values held for a while, each under a `u32` id that is reused once the value
//! is released: memory stays at the most values held at once, however many pass through.
//! Used for the copies in flight (`sim::copy`) and the jobs in a link (`sim::link`).

use std::ops::{Index, IndexMut};

/// Values under reusable ids (the most recently released id is given first).
#[derive(Debug, Clone)]
pub struct Slots<T> {
    values: Vec<T>,
    free: Vec<u32>,
}

impl<T> Slots<T> {
    /// An empty table.
    pub fn new() -> Slots<T> {
        Slots {
            values: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Holds `value`; returns its id (below 2^31).
    pub fn insert(&mut self, value: T) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.values[id as usize] = value;
                id
            }
            None => {
                let id = u32::try_from(self.values.len())
                    .ok()
                    .filter(|&id| id < 1 << 31)
                    .expect("fewer than 2^31 values held at once");
                self.values.push(value);
                id
            }
        }
    }

    /// Releases `id` for a later value (the value stays readable until then).
    pub fn release(&mut self, id: u32) {
        debug_assert!((id as usize) < self.values.len());
        self.free.push(id);
    }

    /// Values held now.
    pub fn held(&self) -> usize {
        self.values.len() - self.free.len()
    }

    /// The most values held at once since the table was made (ids are below it).
    pub fn held_at_most(&self) -> usize {
        self.values.len()
    }

    /// Releases every id.
    pub fn clear(&mut self) {
        self.values.clear();
        self.free.clear();
    }
}

impl<T> Default for Slots<T> {
    fn default() -> Slots<T> {
        Slots::new()
    }
}

impl<T> Index<u32> for Slots<T> {
    type Output = T;
    fn index(&self, id: u32) -> &T {
        &self.values[id as usize]
    }
}

impl<T> IndexMut<u32> for Slots<T> {
    fn index_mut(&mut self, id: u32) -> &mut T {
        &mut self.values[id as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn released_ids_are_reused_and_the_table_grows_to_the_most_held() {
        let mut s = Slots::new();
        let a = s.insert("a");
        let b = s.insert("b");
        assert_eq!((a, b, s.held(), s.held_at_most()), (0, 1, 2, 2));
        s.release(a);
        assert_eq!(s.held(), 1);
        let c = s.insert("c");
        assert_eq!((c, s[c], s[b]), (0, "c", "b"));
        assert_eq!(s.held_at_most(), 2);
        s.clear();
        assert_eq!((s.held(), s.held_at_most()), (0, 0));
    }
}
