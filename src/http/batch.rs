//! Requests that arrive together, answered by one computation.
//!
//! Requests queue under a key while that key's computations run. A computation takes every
//! request queued when it starts, and answers each; a request that arrives while it runs
//! waits for the next one. So every answer is computed after its request arrived, and shows
//! every write acknowledged before the request was sent: batching never serves an answer
//! older than the request. Two uses:
//! - [`Coalescer`]: a report that many dashboards ask for at once is computed once;
//! - records asked for by id at once are read by one statement
//!   ([`RecordBatches`], read by `resource::reads`): on PostgreSQL, one round trip to the
//!   server for many GETs instead of one each.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use actix_web::web::Bytes;
use parking_lot::Mutex;
use tokio::sync::oneshot;

use crate::error::ApiError;

/// The questions of each key that wait for a computation, `Q` a question, `A` its answer.
/// A record as a GET answers it: its version, which is its ETag, and its JSON.
#[derive(Debug, Clone)]
pub struct Shown {
    pub version: i32,
    pub body: actix_web::web::Bytes,
}

/// The GETs of each kind of record (its table) that wait for the next read of that kind, by
/// id: each answered with its record shown, `None` when it does not exist, or the read's
/// error (`resource::reads` reads them).
pub type RecordBatches =
    Batches<&'static str, i64, std::result::Result<Option<Shown>, std::sync::Arc<crate::error::ApiError>>>;

pub struct Batches<K, Q, A> {
    queues: Arc<Mutex<HashMap<K, Queue<Q, A>>>>,
    /// How many computations of one key run at once.
    concurrency: usize,
}

impl<K, Q, A> Clone for Batches<K, Q, A> {
    fn clone(&self) -> Self {
        Self { queues: Arc::clone(&self.queues), concurrency: self.concurrency }
    }
}

struct Queue<Q, A> {
    /// The computations of this key running now.
    running: usize,
    /// The questions asked since the running computations began.
    waiting: Vec<(Q, oneshot::Sender<A>)>,
}

impl<K, Q, A> Batches<K, Q, A>
where
    K: Eq + Hash + Clone + 'static,
    Q: 'static,
    A: 'static,
{
    /// Batches of which at most `concurrency` per key are computed at once (at least one).
    pub fn new(concurrency: usize) -> Self {
        Self { queues: Arc::default(), concurrency: concurrency.max(1) }
    }

    /// The answer to `question`, computed after this call began by one call of `compute`
    /// with the questions of `key` queued with it, which answers them in their order; `None`
    /// when that computation ended without answering it.
    pub async fn ask<F, Fut>(&self, key: K, question: Q, compute: F) -> Option<A>
    where
        F: Fn(Vec<Q>) -> Fut + 'static,
        Fut: Future<Output = Vec<A>> + 'static,
    {
        let (sender, receiver) = oneshot::channel();
        let start = {
            let mut queues = self.queues.lock();
            let queue =
                queues.entry(key.clone()).or_insert_with(|| Queue { running: 0, waiting: Vec::new() });
            queue.waiting.push((question, sender));
            let start = queue.running < self.concurrency;
            queue.running += usize::from(start);
            start
        };
        if start {
            actix_web::rt::spawn(serve(Arc::clone(&self.queues), key, compute));
        }
        receiver.await.ok()
    }
}

/// Computes batches of `key` until none waits.
async fn serve<K, Q, A, F, Fut>(queues: Arc<Mutex<HashMap<K, Queue<Q, A>>>>, key: K, compute: F)
where
    K: Eq + Hash,
    F: Fn(Vec<Q>) -> Fut,
    Fut: Future<Output = Vec<A>>,
{
    // Should this task end early (the runtime shutting down), it counts as ended, and the
    // questions no other computation will take get no answer rather than wait for ever.
    let release = Release { queues: &queues, key: &key };
    loop {
        let waiting = {
            let mut queues = queues.lock();
            match queues.get_mut(&key) {
                Some(queue) if !queue.waiting.is_empty() => std::mem::take(&mut queue.waiting),
                // Under the lock that questions queue under: one that comes next starts anew.
                _ => {
                    end_computation(&mut queues, &key);
                    std::mem::forget(release);
                    return;
                }
            }
        };
        let (questions, askers): (Vec<Q>, Vec<_>) = waiting.into_iter().unzip();
        let answers = compute(questions).await;
        for (asker, answer) in askers.into_iter().zip(answers) {
            // A request whose client went away no longer listens.
            let _ = asker.send(answer);
        }
    }
}

/// Counts one of `key`'s computations as ended; the last one removes the key, and with it
/// the questions that wait, if any.
fn end_computation<K: Eq + Hash, Q, A>(queues: &mut HashMap<K, Queue<Q, A>>, key: &K) {
    if let Some(queue) = queues.get_mut(key) {
        queue.running = queue.running.saturating_sub(1);
        if queue.running == 0 {
            queues.remove(key);
        }
    }
}

/// Ends a computation whose task is dropped before it could end it itself.
struct Release<'a, K: Eq + Hash, Q, A> {
    queues: &'a Mutex<HashMap<K, Queue<Q, A>>>,
    key: &'a K,
}

impl<K: Eq + Hash, Q, A> Drop for Release<'_, K, Q, A> {
    fn drop(&mut self) {
        end_computation(&mut self.queues.lock(), self.key);
    }
}

/// An answer, as every request that waited for it gets it.
type Shared = Result<Bytes, Arc<ApiError>>;

/// Identical expensive reads that arrive together, computed once for all of them.
///
/// A dashboard's report is asked for by many clients at once, and each answer costs the
/// database the same work: the requests that queue while it is computed share the next
/// computation.
#[derive(Clone)]
pub struct Coalescer {
    batches: Batches<String, (), Shared>,
}

impl Default for Coalescer {
    fn default() -> Self {
        Self { batches: Batches::new(1) }
    }
}

impl Coalescer {
    /// The answer of `compute` for `key`, computed after this call began; the calls for the
    /// same key that arrive meanwhile get the same computation's answer.
    pub async fn run<F, Fut>(&self, key: String, compute: F) -> Result<Bytes, ApiError>
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<Bytes, ApiError>> + 'static,
    {
        let compute = move |questions: Vec<()>| {
            let answer = compute();
            async move { vec![answer.await.map_err(Arc::new); questions.len()] }
        };
        match self.batches.ask(key, (), compute).await {
            Some(Ok(body)) => Ok(body),
            Some(Err(error)) => Err(error.copy_for_another_request()),
            None => Err(ApiError::Internal("the shared computation ended without an answer".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    /// The batches a computation was called with, and a gate that holds the first one.
    #[derive(Clone, Default)]
    struct Recorder {
        batches: Rc<RefCell<Vec<Vec<i32>>>>,
        gate: Rc<RefCell<Option<oneshot::Receiver<()>>>>,
    }

    impl Recorder {
        /// Records `questions`, waits for the gate if it is closed, answers ten times each.
        fn compute(
            &self,
        ) -> impl Fn(Vec<i32>) -> std::pin::Pin<Box<dyn Future<Output = Vec<i32>>>> + 'static {
            let recorder = self.clone();
            move |questions| {
                recorder.batches.borrow_mut().push(questions.clone());
                let gate = recorder.gate.borrow_mut().take();
                Box::pin(async move {
                    if let Some(gate) = gate {
                        let _ = gate.await;
                    }
                    questions.iter().map(|q| q * 10).collect()
                })
            }
        }
    }

    /// Lets the tasks spawned so far run until they wait.
    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    type Answered = actix_web::rt::task::JoinHandle<Option<i32>>;

    /// Batches of `concurrency`, whose first computation waits until the sender is used.
    fn gated(concurrency: usize) -> (Batches<&'static str, i32, i32>, Recorder, oneshot::Sender<()>) {
        let recorder = Recorder::default();
        let (open, gate) = oneshot::channel();
        *recorder.gate.borrow_mut() = Some(gate);
        (Batches::new(concurrency), recorder, open)
    }

    /// Asks `question` of `key` in a task of its own.
    fn ask(
        batches: &Batches<&'static str, i32, i32>,
        recorder: &Recorder,
        key: &'static str,
        question: i32,
    ) -> Answered {
        let (batches, compute) = (batches.clone(), recorder.compute());
        actix_web::rt::spawn(async move { batches.ask(key, question, compute).await })
    }

    #[actix_web::test]
    async fn questions_asked_while_a_computation_runs_are_answered_together_by_the_next() {
        let (batches, recorder, open) = gated(1);
        let first = ask(&batches, &recorder, "plans", 1);
        settle().await;
        let later: Vec<_> = (2..=4).map(|question| ask(&batches, &recorder, "plans", question)).collect();
        let other_key = ask(&batches, &recorder, "sectors", 5);
        settle().await;
        assert_eq!(
            *recorder.batches.borrow(),
            vec![vec![1], vec![5]],
            "questions of a key wait while its computation runs; another key's do not"
        );

        open.send(()).expect("the first computation waits");
        assert_eq!(first.await.ok().flatten(), Some(10));
        for (question, asked) in (2..=4).zip(later) {
            assert_eq!(asked.await.ok().flatten(), Some(question * 10), "each gets its own answer");
        }
        assert_eq!(other_key.await.ok().flatten(), Some(50));
        assert_eq!(*recorder.batches.borrow(), vec![vec![1], vec![5], vec![2, 3, 4]]);
        assert!(batches.queues.lock().is_empty(), "nothing is left queued");
    }

    #[actix_web::test]
    async fn a_question_gets_no_answer_rather_than_wait_when_its_computation_gives_none() {
        let batches: Batches<&'static str, i32, i32> = Batches::new(1);
        let answered = batches.ask("plans", 1, |_questions| async { Vec::new() }).await;
        assert_eq!(answered, None);
        assert!(batches.queues.lock().is_empty());
    }

    #[actix_web::test]
    async fn up_to_the_concurrency_computations_of_a_key_run_at_once() {
        let (batches, recorder, open) = gated(2);
        let first = ask(&batches, &recorder, "plans", 1);
        settle().await;
        // The first computation waits at the gate; a second one runs beside it.
        assert_eq!(batches.ask("plans", 2, recorder.compute()).await, Some(20));
        assert_eq!(*recorder.batches.borrow(), vec![vec![1], vec![2]]);
        open.send(()).expect("the first computation waits");
        assert_eq!(first.await.ok().flatten(), Some(10));
        assert!(batches.queues.lock().is_empty());
    }
}
