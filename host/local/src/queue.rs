//! [`LocalQueue`]: an SQS-shaped, at-least-once queue in the redb database.
//!
//! Messages live in `queue/{name}/messages`, keyed by an enqueue sequence
//! number, so receives go oldest first. A receive hides a message until
//! `now + visibility` (read from the injected [`Clock`]) and gives it a new
//! receipt, `{seq}.{random}`: acknowledging or releasing checks that the
//! receipt is still the message's current one, so a stale receipt does
//! nothing. A message that has already been received `max_receives` times
//! moves to `queue/{name}/dead` on its next receive instead of being
//! delivered. Every operation is one committed transaction, so a killed
//! process loses nothing it was told had happened.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use lethe_core::ports::{Clock, Delivery, JobQueue, PortError, QueueMessage};
use redb::{ReadableTable, ReadableTableMetadata, TableDefinition, TableError};
use serde::{Deserialize, Serialize};

use crate::error::DbError;
use crate::store::LocalStore;

const PORT: &str = "job queue";

/// Largest message body, in bytes (SQS's limit).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// A message waiting or in flight.
#[derive(Serialize, Deserialize)]
struct Message {
    id: String,
    body: String,
    receive_count: u32,
    /// Unix microseconds from which it may be received.
    visible_at: i64,
    /// The receipt of its latest delivery.
    receipt: Option<String>,
}

/// A dead-lettered message.
#[derive(Serialize, Deserialize)]
struct Dead {
    id: String,
    body: String,
    receive_count: u32,
    /// Unix microseconds at which it was dead-lettered.
    dead_at: i64,
}

/// How many messages a [`LocalQueue`] holds, by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Waiting or in flight (not yet acknowledged).
    pub pending: u64,
    /// In the dead-letter table.
    pub dead: u64,
}

/// An at-least-once job queue stored in the redb database of a
/// [`LocalStore`], implementing [`JobQueue`].
pub struct LocalQueue {
    store: LocalStore,
    clock: Arc<dyn Clock>,
    max_receives: u32,
    messages: String,
    dead: String,
    seq: String,
}

impl std::fmt::Debug for LocalQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalQueue")
            .field("messages", &self.messages)
            .field("max_receives", &self.max_receives)
            .finish_non_exhaustive()
    }
}

impl LocalQueue {
    /// The queue `name` of `store`, timing visibility with `clock` and
    /// dead-lettering a message on the receive after its `max_receives`-th.
    pub fn new(store: &LocalStore, name: &str, clock: Arc<dyn Clock>, max_receives: u32) -> Self {
        LocalQueue {
            store: store.clone(),
            clock,
            max_receives: max_receives.max(1),
            messages: format!("queue/{name}/messages"),
            dead: format!("queue/{name}/dead"),
            seq: format!("queue/{name}/seq"),
        }
    }

    fn messages_def(&self) -> TableDefinition<'_, u64, &'static [u8]> {
        TableDefinition::new(&self.messages)
    }

    fn dead_def(&self) -> TableDefinition<'_, u64, &'static [u8]> {
        TableDefinition::new(&self.dead)
    }

    fn seq_def(&self) -> TableDefinition<'_, (), u64> {
        TableDefinition::new(&self.seq)
    }

    fn now_micros(&self) -> i64 {
        self.clock.now().as_microsecond()
    }

    /// How many messages are pending and dead-lettered.
    ///
    /// # Errors
    /// [`PortError::Unavailable`] if the database cannot be read.
    pub fn stats(&self) -> Result<QueueStats, PortError> {
        let count = |name: TableDefinition<'_, u64, &'static [u8]>| -> Result<u64, DbError> {
            let txn = self.store.begin_read()?;
            match txn.open_table(name) {
                Ok(t) => Ok(t.len()?),
                Err(TableError::TableDoesNotExist(_)) => Ok(0),
                Err(e) => Err(e.into()),
            }
        };
        Ok(QueueStats {
            pending: count(self.messages_def()).map_err(|e| e.port(PORT))?,
            dead: count(self.dead_def()).map_err(|e| e.port(PORT))?,
        })
    }

    /// Makes every message in flight visible again now. For a process
    /// that has just opened the database: the only process that could have
    /// been working on them is gone (the database is locked to one
    /// process), so waiting out their visibility timeouts would only delay
    /// the work. Receive counts are kept, so a message that crashes its
    /// worker every time still reaches the dead-letter queue.
    ///
    /// # Errors
    /// [`PortError::Unavailable`] if the database cannot be written.
    pub fn recover_in_flight(&self) -> Result<u64, PortError> {
        let recover = || -> Result<u64, DbError> {
            let now = self.now_micros();
            let txn = self.store.begin_write()?;
            let mut recovered = 0;
            {
                let mut messages = txn.open_table(self.messages_def())?;
                let mut changed: Vec<(u64, Message)> = Vec::new();
                for entry in messages.iter()? {
                    let (k, v) = entry?;
                    let message: Message = serde_json::from_slice(v.value())?;
                    if message.receipt.is_some() && message.visible_at > now {
                        changed.push((k.value(), message));
                    }
                }
                for (seq, mut message) in changed {
                    message.visible_at = now;
                    message.receipt = None;
                    messages.insert(seq, serde_json::to_vec(&message)?.as_slice())?;
                    recovered += 1;
                }
            }
            txn.commit()?;
            Ok(recovered)
        };
        recover().map_err(|e| e.port(PORT))
    }

    fn send_all(&self, bodies: Vec<QueueMessage>) -> Result<(), DbError> {
        let now = self.now_micros();
        let txn = self.store.begin_write()?;
        {
            let mut seq_table = txn.open_table(self.seq_def())?;
            let mut next = seq_table.get(())?.map_or(1, |v| v.value());
            let mut messages = txn.open_table(self.messages_def())?;
            for body in bodies {
                let message = Message {
                    id: uuid::Uuid::now_v7().to_string(),
                    body,
                    receive_count: 0,
                    visible_at: now,
                    receipt: None,
                };
                messages.insert(next, serde_json::to_vec(&message)?.as_slice())?;
                next += 1;
            }
            seq_table.insert((), next)?;
        }
        txn.commit()?;
        Ok(())
    }

    fn receive_some(&self, max: usize, visibility: Duration) -> Result<Vec<Delivery>, DbError> {
        let now = self.now_micros();
        let hidden_until =
            now.saturating_add(i64::try_from(visibility.as_micros()).unwrap_or(i64::MAX));
        let txn = self.store.begin_write()?;
        let mut out = Vec::new();
        {
            let mut messages = txn.open_table(self.messages_def())?;
            let mut dead = txn.open_table(self.dead_def())?;
            // Pick first, change after: a range borrows the table.
            let mut picked: Vec<(u64, Message)> = Vec::new();
            let mut deliverable = 0;
            for entry in messages.iter()? {
                let (k, v) = entry?;
                let message: Message = serde_json::from_slice(v.value())?;
                if message.visible_at > now {
                    continue;
                }
                if message.receive_count < self.max_receives {
                    deliverable += 1;
                }
                picked.push((k.value(), message));
                if deliverable == max {
                    break;
                }
            }
            for (seq, mut message) in picked {
                if message.receive_count >= self.max_receives {
                    let letter = Dead {
                        id: message.id,
                        body: message.body,
                        receive_count: message.receive_count,
                        dead_at: now,
                    };
                    dead.insert(seq, serde_json::to_vec(&letter)?.as_slice())?;
                    messages.remove(seq)?;
                    continue;
                }
                let receipt = format!("{seq}.{}", random_token()?);
                message.receive_count += 1;
                message.visible_at = hidden_until;
                message.receipt = Some(receipt.clone());
                messages.insert(seq, serde_json::to_vec(&message)?.as_slice())?;
                out.push(Delivery {
                    id: message.id,
                    receipt,
                    body: message.body,
                    receive_count: message.receive_count,
                });
            }
        }
        txn.commit()?;
        Ok(out)
    }

    /// Acknowledges (`delay: None`) or releases the delivery `receipt`
    /// names, if it is still the message's latest.
    fn settle(
        &self,
        receipt: &str,
        delay: Option<Duration>,
    ) -> Result<Result<(), PortError>, DbError> {
        let Some(seq) = receipt
            .split_once('.')
            .and_then(|(s, _)| s.parse::<u64>().ok())
        else {
            return Ok(Err(PortError::invalid(
                PORT,
                "not a receipt this queue gave",
            )));
        };
        let now = self.now_micros();
        let txn = self.store.begin_write()?;
        {
            let mut messages = txn.open_table(self.messages_def())?;
            let current = match messages.get(seq)? {
                Some(v) => Some(serde_json::from_slice::<Message>(v.value())?),
                None => None,
            };
            match current {
                Some(m) if m.receipt.as_deref() == Some(receipt) => match delay {
                    None => {
                        messages.remove(seq)?;
                    }
                    Some(delay) => {
                        let delay = i64::try_from(delay.as_micros()).unwrap_or(i64::MAX);
                        let m = Message {
                            visible_at: now.saturating_add(delay),
                            ..m
                        };
                        messages.insert(seq, serde_json::to_vec(&m)?.as_slice())?;
                    }
                },
                // Acknowledged already, or delivered again since: nothing to do.
                _ => return Ok(Ok(())),
            }
        }
        txn.commit()?;
        Ok(Ok(()))
    }

    fn read_dead(&self, max: usize) -> Result<Vec<Delivery>, DbError> {
        let txn = self.store.begin_read()?;
        let dead = match txn.open_table(self.dead_def()) {
            Ok(t) => t,
            Err(TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for entry in dead.iter()?.take(max) {
            let (_, v) = entry?;
            let letter: Dead = serde_json::from_slice(v.value())?;
            out.push(Delivery {
                id: letter.id,
                receipt: String::new(),
                body: letter.body,
                receive_count: letter.receive_count,
            });
        }
        Ok(out)
    }
}

/// 16 random hex characters (64 bits) for a receipt.
fn random_token() -> Result<String, DbError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| DbError::from_text(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

#[async_trait]
impl JobQueue for LocalQueue {
    async fn send(&self, messages: Vec<QueueMessage>) -> Result<(), PortError> {
        if messages.is_empty() {
            return Ok(());
        }
        if messages.iter().any(|m| m.len() > MAX_MESSAGE_BYTES) {
            return Err(PortError::invalid(
                PORT,
                format!("a message is larger than {MAX_MESSAGE_BYTES} bytes"),
            ));
        }
        self.send_all(messages).map_err(|e| e.port(PORT))
    }

    async fn receive(&self, max: usize, visibility: Duration) -> Result<Vec<Delivery>, PortError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        self.receive_some(max, visibility).map_err(|e| e.port(PORT))
    }

    async fn ack(&self, receipt: &str) -> Result<(), PortError> {
        self.settle(receipt, None).map_err(|e| e.port(PORT))?
    }

    async fn release(&self, receipt: &str, delay: Duration) -> Result<(), PortError> {
        self.settle(receipt, Some(delay))
            .map_err(|e| e.port(PORT))?
    }

    async fn dead_letters(&self, max: usize) -> Result<Vec<Delivery>, PortError> {
        self.read_dead(max).map_err(|e| e.port(PORT))
    }

    fn max_receives(&self) -> u32 {
        self.max_receives
    }
}
