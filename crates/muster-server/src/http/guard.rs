//! Budgets, kept in this process's memory ("Trust nobody" 6 and 7, docs/decisions/0024): failed
//! logins per user name and per source address (a lockout that expires), and what each user may
//! push per window. Both answer 429 with `Retry-After`. A restart forgets them, which is fine: a
//! restart is rarer than a window, and an attacker cannot cause one.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Failed logins (wrong, used or expired enrolment tokens, bad proofs) allowed per user name and
/// per source address within `window`, before either is locked out for `lockout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginPolicy {
    pub max_failures_per_user: u32,
    pub max_failures_per_address: u32,
    pub window: Duration,
    pub lockout: Duration,
}

impl Default for LoginPolicy {
    /// 5 per user (a person mistyping a 64-digit token a few times), 20 per address (a war room
    /// behind one NAT enrolling its laptops), in 15 minutes; locked out for 15 minutes.
    fn default() -> Self {
        LoginPolicy {
            max_failures_per_user: 5,
            max_failures_per_address: 20,
            window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(15 * 60),
        }
    }
}

/// What one user may push per `window`: request bytes and entries (stored, duplicate or held
/// alike: each costs the server verification, and all but duplicates cost it disk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaPolicy {
    pub window: Duration,
    pub max_bytes: u64,
    pub max_entries: u64,
}

impl Default for QuotaPolicy {
    /// Per hour, 128 MiB and 200,000 entries: twice the first push of a 100,000-entry incident,
    /// a hundred times what a busy laptop writes in a war room's hour.
    fn default() -> Self {
        QuotaPolicy { window: Duration::from_secs(3600), max_bytes: 128 * 1024 * 1024, max_entries: 200_000 }
    }
}

/// At most this many keys are tracked per table; beyond it, expired keys are dropped, and if
/// none is, a new key is not tracked (the address table still counts its attempts).
const MAX_TRACKED: usize = 100_000;

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Whole seconds until `until_ms`, at least 1 (a `Retry-After` value).
pub(crate) fn seconds_until(until_ms: i64, now_ms: i64) -> u64 {
    let ms = until_ms.saturating_sub(now_ms).max(0);
    u64::try_from(ms).map_or(u64::MAX, |ms| ms.div_ceil(1000)).max(1)
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves counters that are still counters.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    since_ms: i64,
    count: u32,
    locked_until_ms: i64,
}

#[derive(Debug)]
struct FailureTable<K> {
    keys: Mutex<HashMap<K, Failures>>,
}

impl<K: Hash + Eq + Clone> FailureTable<K> {
    fn new() -> Self {
        FailureTable { keys: Mutex::new(HashMap::new()) }
    }

    /// The lockout's end, if `key` is locked out at `now_ms`.
    fn locked_until(&self, key: &K, now_ms: i64) -> Option<i64> {
        locked(&self.keys).get(key).map(|f| f.locked_until_ms).filter(|until| *until > now_ms)
    }

    fn fail(&self, key: K, now_ms: i64, max: u32, policy: &LoginPolicy) {
        let mut keys = locked(&self.keys);
        let window = ms(policy.window);
        if keys.len() >= MAX_TRACKED && !keys.contains_key(&key) {
            keys.retain(|_, f| f.locked_until_ms > now_ms || f.since_ms.saturating_add(window) > now_ms);
            if keys.len() >= MAX_TRACKED {
                return;
            }
        }
        let f = keys.entry(key).or_insert(Failures { since_ms: now_ms, count: 0, locked_until_ms: 0 });
        if f.since_ms.saturating_add(window) <= now_ms {
            *f = Failures { since_ms: now_ms, count: 0, locked_until_ms: f.locked_until_ms };
        }
        f.count = f.count.saturating_add(1);
        if f.count >= max {
            f.locked_until_ms = now_ms.saturating_add(ms(policy.lockout));
            f.count = 0;
            f.since_ms = now_ms;
        }
    }

    fn clear(&self, key: &K) {
        locked(&self.keys).remove(key);
    }
}

/// Failed logins per user name and per source address.
#[derive(Debug)]
pub(crate) struct LoginThrottle {
    policy: LoginPolicy,
    users: FailureTable<String>,
    addresses: FailureTable<IpAddr>,
}

/// User names longer than any valid one are tracked by their first characters only.
fn user_key(user: &str) -> String {
    user.chars().take(65).collect()
}

impl LoginThrottle {
    pub(crate) fn new(policy: LoginPolicy) -> Self {
        LoginThrottle { policy, users: FailureTable::new(), addresses: FailureTable::new() }
    }

    /// `Err(seconds)` while the user name or the address is locked out. The same answer whether
    /// the name exists or not: lockouts are kept per name as typed.
    pub(crate) fn check(&self, user: &str, address: Option<IpAddr>, now_ms: i64) -> Result<(), u64> {
        let by_user = self.users.locked_until(&user_key(user), now_ms);
        let by_address = address.and_then(|a| self.addresses.locked_until(&a, now_ms));
        match by_user.max(by_address) {
            Some(until) => Err(seconds_until(until, now_ms)),
            None => Ok(()),
        }
    }

    pub(crate) fn failed(&self, user: &str, address: Option<IpAddr>, now_ms: i64) {
        self.users.fail(user_key(user), now_ms, self.policy.max_failures_per_user, &self.policy);
        if let Some(a) = address {
            self.addresses.fail(a, now_ms, self.policy.max_failures_per_address, &self.policy);
        }
    }

    /// A successful login forgets the name's failures (not the address's).
    pub(crate) fn succeeded(&self, user: &str) {
        self.users.clear(&user_key(user));
    }
}

#[derive(Debug, Clone, Copy)]
struct Usage {
    since_ms: i64,
    bytes: u64,
    entries: u64,
}

/// What each user pushed in their current window.
#[derive(Debug)]
pub(crate) struct Quotas {
    pub(crate) policy: QuotaPolicy,
    users: Mutex<HashMap<i64, Usage>>,
}

impl Quotas {
    pub(crate) fn new(policy: QuotaPolicy) -> Self {
        Quotas { policy, users: Mutex::new(HashMap::new()) }
    }

    /// Counts a push of `bytes` and `entries` by `user_id`, or `Err(seconds)` until the user's
    /// window ends if it would go over the budget (then nothing is counted).
    pub(crate) fn charge(&self, user_id: i64, bytes: u64, entries: u64, now_ms: i64) -> Result<(), u64> {
        let window = ms(self.policy.window);
        let mut users = locked(&self.users);
        if users.len() >= MAX_TRACKED && !users.contains_key(&user_id) {
            users.retain(|_, u| u.since_ms.saturating_add(window) > now_ms);
        }
        let u = users.entry(user_id).or_insert(Usage { since_ms: now_ms, bytes: 0, entries: 0 });
        if u.since_ms.saturating_add(window) <= now_ms {
            *u = Usage { since_ms: now_ms, bytes: 0, entries: 0 };
        }
        let (bytes_after, entries_after) = (u.bytes.saturating_add(bytes), u.entries.saturating_add(entries));
        if bytes_after > self.policy.max_bytes || entries_after > self.policy.max_entries {
            return Err(seconds_until(u.since_ms.saturating_add(window), now_ms));
        }
        u.bytes = bytes_after;
        u.entries = entries_after;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000_000;

    #[test]
    fn a_lockout_follows_the_failures_and_expires() {
        let policy = LoginPolicy {
            max_failures_per_user: 3,
            max_failures_per_address: 5,
            window: Duration::from_secs(60),
            lockout: Duration::from_secs(30),
        };
        let t = LoginThrottle::new(policy);
        let a: IpAddr = [127, 0, 0, 9].into();
        for _ in 0..2 {
            t.failed("alice", Some(a), NOW);
        }
        assert_eq!(t.check("alice", Some(a), NOW), Ok(()));
        t.failed("alice", Some(a), NOW);
        assert_eq!(t.check("alice", None, NOW + 1), Err(30));
        // Another name from the same address is not locked yet; after two more failures it is.
        assert_eq!(t.check("bob", Some(a), NOW), Ok(()));
        t.failed("bob", Some(a), NOW);
        t.failed("carol", Some(a), NOW);
        assert_eq!(t.check("dave", Some(a), NOW), Err(30));
        assert_eq!(t.check("dave", None, NOW), Ok(()));
        // Expired.
        assert_eq!(t.check("alice", Some(a), NOW + 30_000), Ok(()));
    }

    #[test]
    fn a_push_over_the_window_budget_is_refused_until_the_window_ends() {
        let q =
            Quotas::new(QuotaPolicy { window: Duration::from_secs(10), max_bytes: 1000, max_entries: 10 });
        assert_eq!(q.charge(1, 600, 5, NOW), Ok(()));
        assert_eq!(q.charge(1, 600, 1, NOW + 2_500), Err(8));
        assert_eq!(q.charge(1, 100, 6, NOW + 2_500), Err(8));
        assert_eq!(q.charge(2, 600, 5, NOW), Ok(()), "another user has their own budget");
        assert_eq!(q.charge(1, 600, 5, NOW + 10_000), Ok(()), "a new window");
    }
}
