//! Shopify's cost-based throttle: every app-and-shop pair has a bucket of points that
//! refills at a fixed rate, a query may only start when the bucket holds its requested
//! cost, and every answer says (in `extensions.cost`) how full the bucket is. We keep the
//! last reading and the last cost of each query, so a query that would be throttled waits
//! for the refill instead of being sent to fail.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// `extensions.cost` of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueryCost {
    /// The worst case Shopify charged up front; what the next run of the query will need.
    pub requested_query_cost: f64,
    /// `null` when the query was throttled and never ran.
    pub actual_query_cost: Option<f64>,
    pub throttle_status: ThrottleStatus,
}

/// The bucket as Shopify saw it when it answered.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThrottleStatus {
    pub maximum_available: f64,
    pub currently_available: f64,
    /// Points per second.
    pub restore_rate: f64,
}

impl ThrottleStatus {
    /// How long until `cost` points are in the bucket, counting from this reading; `None`
    /// when it never refills (a restore rate of zero). A cost above the bucket's size is
    /// waited for as a full bucket: Shopify then rejects the query itself, with its reason.
    pub fn wait_for(&self, cost: f64) -> Option<Duration> {
        let missing = cost.min(self.maximum_available) - self.currently_available;
        if missing <= 0.0 {
            return Some(Duration::ZERO);
        }
        (self.restore_rate > 0.0).then(|| Duration::from_secs_f64(missing / self.restore_rate))
    }

    /// The reading `elapsed` later, had nothing else been spent.
    fn refilled(self, elapsed: Duration) -> Self {
        let available = self.currently_available + self.restore_rate * elapsed.as_secs_f64();
        Self {
            currently_available: available.min(self.maximum_available),
            ..self
        }
    }
}

/// What one client knows of its shop's bucket.
#[derive(Debug, Default)]
pub(crate) struct Bucket {
    state: Mutex<BucketState>,
}

#[derive(Debug, Default)]
struct BucketState {
    last: Option<(ThrottleStatus, Instant)>,
    /// The requested cost each operation had the last time it ran.
    costs: HashMap<&'static str, f64>,
}

impl Bucket {
    /// Keeps an answer's reading of the bucket and the requested cost of `operation`.
    pub fn record(&self, operation: &'static str, cost: &QueryCost, at: Instant) {
        let mut state = self.state.lock().expect("bucket lock");
        state.last = Some((cost.throttle_status, at));
        state.costs.insert(operation, cost.requested_query_cost);
    }

    /// How long to wait before sending `operation` at `now`: zero when its cost or the
    /// bucket is not known yet, or the projected bucket already holds the cost. `None`
    /// when the bucket never refills.
    pub fn wait_before(&self, operation: &'static str, now: Instant) -> Option<Duration> {
        let state = self.state.lock().expect("bucket lock");
        let (Some((status, at)), Some(cost)) = (state.last, state.costs.get(operation)) else {
            return Some(Duration::ZERO);
        };
        status
            .refilled(now.saturating_duration_since(at))
            .wait_for(*cost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(available: f64) -> ThrottleStatus {
        ThrottleStatus {
            maximum_available: 1000.0,
            currently_available: available,
            restore_rate: 50.0,
        }
    }

    fn cost(requested: f64, available: f64) -> QueryCost {
        QueryCost {
            requested_query_cost: requested,
            actual_query_cost: Some(requested / 2.0),
            throttle_status: status(available),
        }
    }

    #[test]
    fn waits_for_the_missing_points_at_the_restore_rate() {
        assert_eq!(status(900.0).wait_for(100.0), Some(Duration::ZERO));
        assert_eq!(status(50.0).wait_for(150.0), Some(Duration::from_secs(2)));
        assert_eq!(status(0.0).wait_for(5000.0), Some(Duration::from_secs(20)));
        let stuck = ThrottleStatus {
            restore_rate: 0.0,
            ..status(0.0)
        };
        assert_eq!(stuck.wait_for(10.0), None);
    }

    #[test]
    fn the_bucket_refills_between_readings() {
        let bucket = Bucket::default();
        let start = Instant::now();
        assert_eq!(bucket.wait_before("order", start), Some(Duration::ZERO));
        bucket.record("order", &cost(150.0, 50.0), start);
        assert_eq!(
            bucket.wait_before("order", start),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            bucket.wait_before("order", start + Duration::from_secs(1)),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            bucket.wait_before("order", start + Duration::from_secs(60)),
            Some(Duration::ZERO)
        );
        assert_eq!(bucket.wait_before("other", start), Some(Duration::ZERO));
    }
}
