//! Retries and a circuit breaker around any [`LanguageModel`].
//!
//! Why both: retries ride out the short blips every provider has (429, 529, a dropped
//! connection); the breaker stops a visitor from waiting through timeouts and retries
//! when the provider is down for real, so the built-in engine answers at once instead.
//!
//! Time comes from `tokio::time`, so tests run it paused and skip the waits.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use frontdesk_core::llm::{
    LanguageModel, ModelError, ModelFuture, ModelRequest, ModelResponse, TextSink,
};
use tokio::time::Instant;

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first included. A visitor is waiting, so keep it small.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubled for each further one.
    pub base_delay: Duration,
    /// Upper bound of the exponential backoff.
    pub max_delay: Duration,
    /// The longest provider-requested `retry-after` we are willing to wait. A longer one
    /// ends the call instead: the docs say earlier retries fail, and a visitor should not
    /// wait that long when the built-in engine can answer now.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

/// When the circuit opens and how long it stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Consecutive failed attempts (provider failures, not our own rejected requests)
    /// that open the circuit.
    pub failure_threshold: u32,
    /// How long an open circuit fails calls before letting one trial call through.
    pub cooldown: Duration,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cooldown: Duration::from_secs(30),
        }
    }
}

/// The breaker's state, for health pages and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    /// Calls go through.
    Closed,
    /// Calls fail with [`ModelError::CircuitOpen`] until the cooldown ends.
    Open,
    /// The cooldown is over: the next call is a trial (or one is running).
    HalfOpen,
}

#[derive(Debug)]
enum Breaker {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { trial_running: bool },
}

/// A [`LanguageModel`] that retries its inner model and stops calling it while it fails.
#[derive(Debug)]
pub struct Resilient<M> {
    inner: M,
    retry: RetryPolicy,
    breaker_policy: BreakerPolicy,
    breaker: Mutex<Breaker>,
}

/// What an attempt says about the provider's health.
enum Outcome {
    /// The provider answered (even a rejection proves it is up).
    Healthy,
    Failed,
}

impl<M: LanguageModel> Resilient<M> {
    /// Wraps `inner` with the default policies (3 attempts; open after 5 failures for 30 s).
    pub fn new(inner: M) -> Self {
        Self::with_policies(inner, RetryPolicy::default(), BreakerPolicy::default())
    }

    /// Wraps `inner` with explicit policies, e.g. fewer attempts where latency matters
    /// more than success, or short delays in tests.
    pub fn with_policies(inner: M, retry: RetryPolicy, breaker: BreakerPolicy) -> Self {
        Self {
            inner,
            retry,
            breaker_policy: breaker,
            breaker: Mutex::new(Breaker::Closed { failures: 0 }),
        }
    }

    /// The wrapped model, for callers (and tests) that need its own accessors.
    pub fn inner(&self) -> &M {
        &self.inner
    }

    /// The breaker's state now.
    pub fn circuit(&self) -> CircuitState {
        match *self.lock() {
            Breaker::Closed { .. } => CircuitState::Closed,
            Breaker::Open { until } if Instant::now() < until => CircuitState::Open,
            Breaker::Open { .. } | Breaker::HalfOpen { .. } => CircuitState::HalfOpen,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Breaker> {
        // The state is a few plain fields, valid whatever a panicking holder did.
        self.breaker.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// May this attempt go out? Turns an expired open circuit into the half-open trial.
    fn admit(&self) -> bool {
        let mut breaker = self.lock();
        match *breaker {
            Breaker::Closed { .. } => true,
            Breaker::Open { until } if Instant::now() < until => false,
            Breaker::Open { .. }
            | Breaker::HalfOpen {
                trial_running: false,
            } => {
                tracing::info!("model circuit half-open: sending a trial call");
                *breaker = Breaker::HalfOpen {
                    trial_running: true,
                };
                true
            }
            Breaker::HalfOpen {
                trial_running: true,
            } => false,
        }
    }

    /// Records an attempt's outcome; returns true if the circuit is now open.
    fn record(&self, outcome: Outcome) -> bool {
        let mut breaker = self.lock();
        let next = match (outcome, &*breaker) {
            (Outcome::Healthy, Breaker::Closed { .. }) => Breaker::Closed { failures: 0 },
            (Outcome::Healthy, _) => {
                tracing::info!("model circuit closed: the provider answers again");
                Breaker::Closed { failures: 0 }
            }
            (Outcome::Failed, Breaker::Closed { failures })
                if failures + 1 < self.breaker_policy.failure_threshold =>
            {
                Breaker::Closed {
                    failures: failures + 1,
                }
            }
            (Outcome::Failed, Breaker::Open { until }) => Breaker::Open { until: *until },
            (Outcome::Failed, _) => {
                tracing::warn!(
                    cooldown_ms = self.breaker_policy.cooldown.as_millis() as u64,
                    "model circuit opened after repeated failures"
                );
                Breaker::Open {
                    until: Instant::now() + self.breaker_policy.cooldown,
                }
            }
        };
        *breaker = next;
        matches!(*breaker, Breaker::Open { .. })
    }

    /// Exponential backoff with full jitter: a random wait in `[0, base·2^(n-1)]`, capped,
    /// so many conversations retrying together do not hit the provider in lockstep.
    fn backoff(&self, retry_number: u32) -> Duration {
        let exp = self
            .retry
            .base_delay
            .saturating_mul(1u32 << retry_number.saturating_sub(1).min(20));
        let cap = exp.min(self.retry.max_delay);
        cap.mul_f64(fastrand::f64())
    }

    async fn run(
        &self,
        request: &ModelRequest,
        on_text: TextSink<'_>,
    ) -> Result<ModelResponse, ModelError> {
        let streamed = AtomicBool::new(false);
        let sink = |text: &str| {
            if !text.is_empty() {
                streamed.store(true, Ordering::Relaxed);
            }
            on_text(text);
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            if !self.admit() {
                return Err(ModelError::CircuitOpen);
            }
            let mut trial = TrialGuard {
                breaker: &self.breaker,
                armed: true,
            };
            let result = self.inner.respond(request, &sink).await;
            trial.armed = false;
            let error = match result {
                Ok(response) => {
                    self.record(Outcome::Healthy);
                    return Ok(response);
                }
                Err(error) => error,
            };
            let provider_failed = error.is_retryable() || matches!(error, ModelError::Protocol(_));
            let open = self.record(if provider_failed {
                Outcome::Failed
            } else {
                Outcome::Healthy
            });
            let label = self.inner.label();
            if !error.is_retryable() || open || attempt >= self.retry.max_attempts {
                tracing::warn!(model = %label, attempt, error = %error, "model call failed");
                return Err(error);
            }
            if streamed.load(Ordering::Relaxed) {
                // The visitor already saw part of this answer: a retry would repeat it.
                tracing::warn!(model = %label, error = %error, "model failed mid-answer; not retrying");
                return Err(error);
            }
            let delay = match error.retry_after() {
                Some(wait) if wait > self.retry.max_retry_after => {
                    tracing::warn!(model = %label, wait_ms = wait.as_millis() as u64, "provider asks to wait too long; not retrying");
                    return Err(error);
                }
                Some(wait) => wait,
                None => self.backoff(attempt),
            };
            tracing::info!(model = %label, attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying model call");
            tokio::time::sleep(delay).await;
        }
    }
}

/// Frees the half-open trial slot if the call is dropped before it ends (the visitor
/// left), so the breaker cannot stay stuck waiting for a trial that will never report.
struct TrialGuard<'a> {
    breaker: &'a Mutex<Breaker>,
    armed: bool,
}

impl Drop for TrialGuard<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut breaker = self.breaker.lock().unwrap_or_else(|e| e.into_inner());
        if let Breaker::HalfOpen {
            trial_running: true,
        } = *breaker
        {
            *breaker = Breaker::HalfOpen {
                trial_running: false,
            };
        }
    }
}

impl<M: LanguageModel> LanguageModel for Resilient<M> {
    fn respond<'a>(&'a self, request: &'a ModelRequest, on_text: TextSink<'a>) -> ModelFuture<'a> {
        Box::pin(self.run(request, on_text))
    }

    fn label(&self) -> String {
        self.inner.label()
    }
}
