//! Group commit for SQLite. SQLite has one writer at a time; many connections racing for
//! the write lock spin in `busy_timeout` and each pays its own fsync. Instead, one task
//! owns writing: it takes every turn waiting in its queue, writes them in one transaction,
//! commits once — one fsync for the whole batch — and only then tells each caller its
//! turn is durable. If anything in the batch fails, the batch is rolled back and each turn
//! is retried in its own transaction, so one bad turn fails alone. Quality findings go
//! through the same queue, so they never compete with turns for SQLite's write lock; so do
//! the phone line's call log writes.

use frontdesk_core::assistant::{StoreError, TurnRecord};
use frontdesk_core::conversation::{BusinessId, ConversationId};
use frontdesk_core::policy::QualityFinding;
use jiff::Timestamp;
use sqlx::{AnyConnection, AnyPool};
use uuid::Uuid;

use crate::calls::CallTurnRow;
use tokio::sync::{mpsc, oneshot};

/// Most turns written by one commit.
const MAX_BATCH: usize = 256;

/// Turns waiting beyond this make callers wait to enqueue (back-pressure).
const QUEUE_DEPTH: usize = 4_096;

/// Something to write.
#[derive(Debug)]
pub enum Write {
    Turn(Box<TurnRecord>),
    Quality {
        business: BusinessId,
        conversation: ConversationId,
        findings: Vec<QualityFinding>,
        at: Timestamp,
    },
    /// A call starts (ignored when its `CallSid` is already logged).
    CallStarted {
        business: BusinessId,
        call: Uuid,
        sid: String,
        from: String,
        to: String,
        at: Timestamp,
    },
    /// A turn of a call, with the call's next state.
    CallTurn {
        business: BusinessId,
        call: Uuid,
        turn: Box<CallTurnRow>,
        at: Timestamp,
    },
    /// Twilio's status callback for a call.
    CallStatus {
        business: BusinessId,
        sid: String,
        status: String,
        duration_seconds: Option<i64>,
        at: Timestamp,
    },
}

impl Write {
    /// The business the write belongs to.
    pub fn business(&self) -> BusinessId {
        match self {
            Write::Turn(turn) => turn.business,
            Write::Quality { business, .. }
            | Write::CallStarted { business, .. }
            | Write::CallTurn { business, .. }
            | Write::CallStatus { business, .. } => *business,
        }
    }
}

struct Job {
    write: Write,
    done: oneshot::Sender<Result<(), String>>,
}

/// A handle on the writer task.
#[derive(Debug, Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("write", &self.write).finish()
    }
}

impl Writer {
    /// Starts the writer task on the current Tokio runtime.
    pub fn spawn(pool: AnyPool) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(run(pool, queue));
        Self { jobs }
    }

    /// Queues a write and waits until its transaction has committed.
    pub async fn write(&self, write: Write) -> Result<(), StoreError> {
        let (done, committed) = oneshot::channel();
        self.jobs
            .send(Job { write, done })
            .await
            .map_err(|_| StoreError::Backend("the database writer has stopped".into()))?;
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(StoreError::Backend(message.into())),
            Err(_) => Err(StoreError::Backend(
                "the database writer has stopped".into(),
            )),
        }
    }
}

async fn run(pool: AnyPool, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let results = commit(&pool, &batch).await;
        for (job, result) in batch.into_iter().zip(results) {
            let _ = job.done.send(result);
        }
    }
}

/// Writes a batch in one transaction; returns each turn's outcome.
async fn commit(pool: &AnyPool, batch: &[Job]) -> Vec<Result<(), String>> {
    let turns: Vec<&Write> = batch.iter().map(|job| &job.write).collect();
    match write_all(pool, &turns).await {
        Ok(()) => batch.iter().map(|_| Ok(())).collect(),
        Err(error) if batch.len() == 1 => vec![Err(error.to_string())],
        Err(error) => {
            tracing::warn!(%error, turns = batch.len(), "batch failed; writing its turns one by one");
            let mut results = Vec::with_capacity(batch.len());
            for turn in turns {
                results.push(write_all(pool, &[turn]).await.map_err(|e| e.to_string()));
            }
            results
        }
    }
}

async fn write_all(pool: &AnyPool, writes: &[&Write]) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin_with(crate::store::SQLITE_BEGIN).await?;
    for write in writes {
        apply(&mut tx, write).await?;
    }
    tx.commit().await
}

/// Performs one write on the caller's transaction.
pub(crate) async fn apply(conn: &mut AnyConnection, write: &Write) -> Result<(), sqlx::Error> {
    match write {
        Write::Turn(turn) => crate::store::write_turn(conn, turn).await,
        Write::Quality {
            business,
            conversation,
            findings,
            at,
        } => crate::store::write_quality(conn, *business, *conversation, findings, *at).await,
        Write::CallStarted {
            business,
            call,
            sid,
            from,
            to,
            at,
        } => crate::calls::insert_call(conn, *business, *call, sid, from, to, *at).await,
        Write::CallTurn {
            business,
            call,
            turn,
            at,
        } => crate::calls::write_call_turn(conn, *business, *call, turn, *at).await,
        Write::CallStatus {
            business,
            sid,
            status,
            duration_seconds,
            at,
        } => {
            crate::calls::write_call_status(conn, *business, sid, status, *duration_seconds, *at)
                .await
        }
    }
}
