//! A limit on failed authentication per client: a client that sends more than
//! `KINSHIP_AUTH_FAILURES_PER_MINUTE` wrong keys or tokens in a minute is answered `429` with
//! `RATE_LIMITED` and `Retry-After` until its minute is over, before any key is looked up. So
//! guessing keys costs a minute per few guesses, and a flood of them costs the database
//! nothing. Counted in the metric `kinship.auth.failures` (attribute `outcome`: `rejected` or
//! `throttled`); never with the client's address.

use actix_web::HttpRequest;
use opentelemetry::KeyValue;
use opentelemetry::metrics::Counter;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most clients tracked at once; beyond it, finished windows are dropped first, then the
/// oldest.
const MAX_CLIENTS: usize = 100_000;

/// How long a window of counted failures lasts.
const WINDOW: Duration = Duration::from_secs(60);

/// The client a request comes from, as the throttle counts it: the connection's address, or
/// with `trust_forwarded_for` the last address of `X-Forwarded-For` (the one a reverse proxy
/// added; earlier ones are the client's to forge). An IPv6 client counts by its /64 network,
/// since one host may use any address in it.
pub fn client_of(req: &HttpRequest, trust_forwarded_for: bool) -> Option<IpAddr> {
    // The last address of the last header line: a proxy appends, or adds a line of its own.
    let forwarded = trust_forwarded_for
        .then(|| {
            req.headers()
                .get_all("x-forwarded-for")
                .last()?
                .to_str()
                .ok()
        })
        .flatten()
        .and_then(|list| list.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok());
    let ip = forwarded.or_else(|| req.peer_addr().map(|a| a.ip()))?;
    Some(match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    })
}

/// Failed authentications per client, in windows of a minute.
pub struct AuthThrottle {
    per_minute: u32,
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    failures: Counter<u64>,
}

impl AuthThrottle {
    /// A throttle allowing `per_minute` failures per client and minute.
    pub fn new(per_minute: u32) -> AuthThrottle {
        AuthThrottle {
            per_minute,
            clients: Mutex::new(HashMap::new()),
            failures: opentelemetry::global::meter("kinship")
                .u64_counter("kinship.auth.failures")
                .with_description("Requests refused for a wrong key or token, and those throttled")
                .with_unit("{request}")
                .build(),
        }
    }

    /// How long `client` must wait before its credentials are checked again; `None` when they
    /// may be checked now.
    pub fn wait(&self, client: IpAddr) -> Option<Duration> {
        let clients = self.clients.lock().ok()?;
        let (since, count) = clients.get(&client)?;
        let left = WINDOW.checked_sub(since.elapsed())?;
        (*count >= self.per_minute).then(|| {
            self.failures
                .add(1, &[KeyValue::new("outcome", "throttled")]);
            left.max(Duration::from_secs(1))
        })
    }

    /// Counts a failed authentication of `client`.
    pub fn failed(&self, client: IpAddr) {
        self.failures
            .add(1, &[KeyValue::new("outcome", "rejected")]);
        let Ok(mut clients) = self.clients.lock() else {
            return;
        };
        if clients.len() >= MAX_CLIENTS && !clients.contains_key(&client) {
            clients.retain(|_, (since, _)| since.elapsed() < WINDOW);
            if clients.len() >= MAX_CLIENTS
                && let Some(oldest) = clients
                    .iter()
                    .min_by_key(|(_, (since, _))| *since)
                    .map(|(ip, _)| *ip)
            {
                clients.remove(&oldest);
            }
        }
        let entry = clients.entry(client).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_held_back_after_its_failures_and_others_are_not() {
        let throttle = AuthThrottle::new(3);
        let client: IpAddr = "192.0.2.7".parse().expect("ip");
        let other: IpAddr = "192.0.2.8".parse().expect("ip");
        for _ in 0..3 {
            assert_eq!(throttle.wait(client), None);
            throttle.failed(client);
        }
        let wait = throttle.wait(client).expect("held back");
        assert!(wait <= WINDOW && wait >= Duration::from_secs(1));
        assert_eq!(throttle.wait(other), None, "per client");
    }
}
