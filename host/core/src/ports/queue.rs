//! The job queue: an SQS-shaped, at-least-once queue of chunk messages.

use std::time::Duration;

use async_trait::async_trait;

use super::PortError;

/// A message to send: a body the engine wrote (JSON naming a job and a chunk).
pub type QueueMessage = String;

/// One delivery of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The message's id, the same on every delivery of it.
    pub id: String,
    /// Names this delivery, for [`JobQueue::ack`] and [`JobQueue::release`].
    pub receipt: String,
    /// What was sent.
    pub body: String,
    /// How many times the message has been received, this time included.
    pub receive_count: u32,
}

/// An at-least-once queue.
///
/// A received message is invisible for the visibility timeout, then
/// delivered again unless acknowledged. A message received more than
/// [`max_receives`](Self::max_receives) times moves to the dead-letter queue
/// instead of being delivered again.
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Enqueues messages (any number; the adapter splits into batches).
    async fn send(&self, messages: Vec<QueueMessage>) -> Result<(), PortError>;

    /// Up to `max` visible messages, each hidden for `visibility` after.
    async fn receive(&self, max: usize, visibility: Duration) -> Result<Vec<Delivery>, PortError>;

    /// Deletes a delivered message: it is done. Acknowledging twice, or after
    /// the visibility timeout let another delivery happen, is not an error
    /// (the work is idempotent).
    async fn ack(&self, receipt: &str) -> Result<(), PortError>;

    /// Makes a delivered message visible again after `delay` (a retry).
    async fn release(&self, receipt: &str, delay: Duration) -> Result<(), PortError>;

    /// Messages in the dead-letter queue, oldest first, up to `max` (not
    /// removed).
    async fn dead_letters(&self, max: usize) -> Result<Vec<Delivery>, PortError>;

    /// How many receives a message gets before it is dead-lettered.
    fn max_receives(&self) -> u32;
}
