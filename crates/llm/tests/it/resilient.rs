//! Resilient against a scripted model on tokio's paused clock (waits cost no real time),
//! plus one end-to-end retry over HTTP.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use frontdesk_core::llm::{
    LanguageModel, ModelError, ModelFuture, ModelRequest, ModelResponse, StopReason, TextSink,
    TokenUsage,
};
use frontdesk_llm::{
    AnthropicClient, AnthropicConfig, BreakerPolicy, CircuitState, Resilient, RetryPolicy,
};
use tokio::time::Instant;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

#[derive(Debug)]
enum Step {
    Answer(&'static str),
    Fail(ModelError),
    /// Streams some text, then fails.
    TextThenFail(&'static str, ModelError),
    /// Never finishes.
    Hang,
}

#[derive(Debug, Default)]
struct Scripted {
    steps: Mutex<VecDeque<Step>>,
    calls: AtomicUsize,
}

impl Scripted {
    fn new(steps: impl IntoIterator<Item = Step>) -> Self {
        Self {
            steps: Mutex::new(steps.into_iter().collect()),
            calls: AtomicUsize::new(0),
        }
    }

    fn push(&self, step: Step) {
        self.steps.lock().unwrap().push_back(step);
    }
}

fn answer(text: &str) -> ModelResponse {
    ModelResponse {
        text: text.to_owned(),
        tool_calls: vec![],
        stop: StopReason::EndTurn,
        usage: TokenUsage::default(),
    }
}

impl LanguageModel for Scripted {
    fn respond<'a>(&'a self, _: &'a ModelRequest, on_text: TextSink<'a>) -> ModelFuture<'a> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let step = self
            .steps
            .lock()
            .unwrap()
            .pop_front()
            .expect("the script ran out: an unexpected call");
        Box::pin(async move {
            match step {
                Step::Answer(text) => {
                    on_text(text);
                    Ok(answer(text))
                }
                Step::Fail(error) => Err(error),
                Step::TextThenFail(text, error) => {
                    on_text(text);
                    Err(error)
                }
                Step::Hang => std::future::pending().await,
            }
        })
    }

    fn label(&self) -> String {
        "scripted/test".into()
    }
}

fn server_error() -> ModelError {
    ModelError::Server {
        status: 500,
        message: "boom".into(),
    }
}

fn retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
        max_retry_after: Duration::from_secs(10),
    }
}

fn never_open() -> BreakerPolicy {
    BreakerPolicy {
        failure_threshold: 1000,
        cooldown: Duration::from_secs(30),
    }
}

async fn call(model: &impl LanguageModel) -> Result<ModelResponse, ModelError> {
    model.respond(&simple_request(), &|_| {}).await
}

#[tokio::test(start_paused = true)]
async fn retries_429_and_529_then_succeeds_honouring_retry_after() {
    let model = Resilient::with_policies(
        Scripted::new([
            Step::Fail(ModelError::RateLimited {
                retry_after: Some(Duration::from_secs(2)),
            }),
            Step::Fail(ModelError::Overloaded { retry_after: None }),
            Step::Answer("hello"),
        ]),
        retry(3),
        never_open(),
    );
    let started = Instant::now();
    let recorder = Recorder::default();
    let response = model
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap();
    assert_eq!(response.text, "hello");
    assert_eq!(recorder.texts(), ["hello"]);
    assert_eq!(model.inner().calls.load(Ordering::SeqCst), 3);
    let waited = started.elapsed();
    // 2 s asked by the 429, then a jittered backoff of at most 200 ms.
    assert!(waited >= Duration::from_secs(2), "{waited:?}");
    assert!(waited <= Duration::from_millis(2200), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn backoff_is_bounded_and_attempts_are_capped() {
    let model = Resilient::with_policies(
        Scripted::new([
            Step::Fail(server_error()),
            Step::Fail(ModelError::Timeout),
            Step::Fail(ModelError::Transport("reset".into())),
            Step::Answer("never reached"),
        ]),
        retry(3),
        never_open(),
    );
    let started = Instant::now();
    let error = call(&model).await.unwrap_err();
    assert_eq!(error, ModelError::Transport("reset".into()));
    assert_eq!(model.inner().calls.load(Ordering::SeqCst), 3);
    // Full jitter: at most 100 ms then 200 ms.
    assert!(started.elapsed() <= Duration::from_millis(300));
}

#[tokio::test(start_paused = true)]
async fn no_retry_once_text_was_streamed() {
    let model = Resilient::with_policies(
        Scripted::new([
            Step::TextThenFail("We're open", ModelError::Overloaded { retry_after: None }),
            Step::Answer("We're open from 9am"),
        ]),
        retry(3),
        never_open(),
    );
    let recorder = Recorder::default();
    let error = model
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap_err();
    assert_eq!(error, ModelError::Overloaded { retry_after: None });
    assert_eq!(model.inner().calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        recorder.texts(),
        ["We're open"],
        "visible text was duplicated"
    );
}

#[tokio::test(start_paused = true)]
async fn no_retry_on_rejected() {
    let model = Resilient::with_policies(
        Scripted::new([
            Step::Fail(ModelError::Rejected {
                status: 401,
                message: "bad key".into(),
            }),
            Step::Answer("never reached"),
        ]),
        retry(3),
        never_open(),
    );
    assert!(matches!(
        call(&model).await,
        Err(ModelError::Rejected { status: 401, .. })
    ));
    assert_eq!(model.inner().calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn retry_after_beyond_the_cap_is_not_waited_for() {
    let model = Resilient::with_policies(
        Scripted::new([
            Step::Fail(ModelError::RateLimited {
                retry_after: Some(Duration::from_secs(60)),
            }),
            Step::Answer("never reached"),
        ]),
        retry(3),
        never_open(),
    );
    let started = Instant::now();
    assert!(matches!(
        call(&model).await,
        Err(ModelError::RateLimited { .. })
    ));
    assert_eq!(model.inner().calls.load(Ordering::SeqCst), 1);
    assert_eq!(started.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn circuit_opens_fails_fast_half_opens_and_closes() {
    let cooldown = Duration::from_secs(30);
    let model = Resilient::with_policies(
        Scripted::new((0..3).map(|_| Step::Fail(server_error()))),
        retry(1),
        BreakerPolicy {
            failure_threshold: 3,
            cooldown,
        },
    );
    let calls = || model.inner().calls.load(Ordering::SeqCst);
    for n in 1..=3 {
        assert_eq!(model.circuit(), CircuitState::Closed, "before failure {n}");
        assert!(matches!(call(&model).await, Err(ModelError::Server { .. })));
    }
    assert_eq!(model.circuit(), CircuitState::Open);

    // Open: fails at once, without calling the provider.
    let started = Instant::now();
    assert_eq!(call(&model).await.unwrap_err(), ModelError::CircuitOpen);
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(calls(), 3);

    // Still open just before the cooldown ends.
    tokio::time::advance(cooldown - Duration::from_millis(1)).await;
    assert_eq!(call(&model).await.unwrap_err(), ModelError::CircuitOpen);
    assert_eq!(calls(), 3);

    // Half-open: one trial goes through; it fails, so the circuit reopens.
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(model.circuit(), CircuitState::HalfOpen);
    model.inner().push(Step::Fail(server_error()));
    assert!(matches!(call(&model).await, Err(ModelError::Server { .. })));
    assert_eq!(calls(), 4);
    assert_eq!(model.circuit(), CircuitState::Open);
    assert_eq!(call(&model).await.unwrap_err(), ModelError::CircuitOpen);
    assert_eq!(calls(), 4);

    // After another cooldown the trial succeeds and the circuit closes.
    tokio::time::advance(cooldown).await;
    model.inner().push(Step::Answer("back"));
    assert_eq!(call(&model).await.unwrap().text, "back");
    assert_eq!(model.circuit(), CircuitState::Closed);
    model.inner().push(Step::Answer("again"));
    assert_eq!(call(&model).await.unwrap().text, "again");
    assert_eq!(calls(), 6);
}

#[tokio::test(start_paused = true)]
async fn retries_count_toward_the_breaker_and_stop_when_it_opens() {
    let model = Resilient::with_policies(
        Scripted::new((0..2).map(|_| Step::Fail(ModelError::Overloaded { retry_after: None }))),
        retry(5),
        BreakerPolicy {
            failure_threshold: 2,
            cooldown: Duration::from_secs(30),
        },
    );
    assert_eq!(
        call(&model).await.unwrap_err(),
        ModelError::Overloaded { retry_after: None }
    );
    assert_eq!(model.inner().calls.load(Ordering::SeqCst), 2);
    assert_eq!(model.circuit(), CircuitState::Open);
}

#[tokio::test(start_paused = true)]
async fn rejections_do_not_open_the_circuit() {
    let rejected = || {
        Step::Fail(ModelError::Rejected {
            status: 400,
            message: "bad request".into(),
        })
    };
    let model = Resilient::with_policies(
        Scripted::new([
            Step::Fail(server_error()),
            rejected(),
            Step::Fail(server_error()),
            rejected(),
        ]),
        retry(1),
        BreakerPolicy {
            failure_threshold: 2,
            cooldown: Duration::from_secs(30),
        },
    );
    for _ in 0..4 {
        assert!(call(&model).await.is_err());
        assert_eq!(model.circuit(), CircuitState::Closed);
    }
}

#[tokio::test(start_paused = true)]
async fn half_open_lets_one_trial_at_a_time_and_a_dropped_trial_frees_the_slot() {
    let cooldown = Duration::from_secs(30);
    let model = Resilient::with_policies(
        Scripted::new([Step::Fail(server_error()), Step::Hang]),
        retry(1),
        BreakerPolicy {
            failure_threshold: 1,
            cooldown,
        },
    );
    assert!(call(&model).await.is_err());
    tokio::time::advance(cooldown).await;
    {
        let trial = call(&model);
        tokio::pin!(trial);
        // Start the trial, which hangs at the provider.
        assert!(tokio::time::timeout(Duration::from_millis(10), &mut trial)
            .await
            .is_err());
        // A concurrent call is refused while the trial runs.
        assert_eq!(call(&model).await.unwrap_err(), ModelError::CircuitOpen);
        assert_eq!(model.inner().calls.load(Ordering::SeqCst), 2);
    } // the visitor left: the trial future is dropped
    model.inner().push(Step::Answer("ok"));
    assert_eq!(call(&model).await.unwrap().text, "ok");
    assert_eq!(model.circuit(), CircuitState::Closed);
}

#[tokio::test]
async fn http_529_then_success_is_retried_end_to_end() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(529)
                .set_body_raw(fixture("anthropic-error-529.json"), "application/json"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("anthropic-text.sse").into_bytes(),
            "text/event-stream",
        ))
        .mount(&server)
        .await;
    let mut config = AnthropicConfig::new(SECRET, "claude-sonnet-4-5");
    config.base_url = server.uri();
    config.timeouts = fast_timeouts();
    let model = Resilient::with_policies(
        AnthropicClient::new(config).unwrap(),
        RetryPolicy {
            base_delay: Duration::from_millis(10),
            ..RetryPolicy::default()
        },
        BreakerPolicy::default(),
    );
    assert_eq!(model.label(), "anthropic/claude-sonnet-4-5");
    let recorder = Recorder::default();
    let response = model
        .respond(&simple_request(), &recorder.sink())
        .await
        .unwrap();
    assert_eq!(response.text, "Hello! How can I help you today?");
    assert_eq!(recorder.joined(), response.text);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert!(!format!("{model:?}").contains(SECRET));
}
