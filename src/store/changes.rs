//! Changes to consumers and their connections, heard from PostgreSQL: a trigger announces each
//! on [`CHANNEL`] with the consumer's id, at commit, to every replica sharing the database.

use std::time::Duration;

use sqlx::postgres::PgListener;
use uuid::Uuid;

/// The channel the triggers of migration `20261206000001` notify.
const CHANNEL: &str = "passerelle_tenancy";
/// How long to wait before listening again after the connection failed.
const RETRY: Duration = Duration::from_secs(1);

/// What the listener hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Listening (again): changes from now on are heard; earlier ones may have been missed.
    Listening,
    /// The listening connection is gone: changes are not heard until the next `Listening`.
    Lost,
    /// The consumer, or one of its connections, changed.
    Consumer(Uuid),
}

/// Listens for changes on the PostgreSQL database at `url` for as long as it runs, reporting each
/// to `report`; reconnects after a lost connection (every second until it succeeds).
pub async fn follow(url: &str, mut report: impl FnMut(Change)) {
    loop {
        match listen(url).await {
            Ok(mut listener) => {
                report(Change::Listening);
                tracing::info!("listening for consumer and connection changes");
                loop {
                    match listener.try_recv().await {
                        Ok(Some(note)) => match Uuid::parse_str(note.payload()) {
                            Ok(consumer) => report(Change::Consumer(consumer)),
                            Err(_) => tracing::warn!(payload = note.payload(), "unknown change"),
                        },
                        Ok(None) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "reading changes failed");
                            break;
                        }
                    }
                }
                report(Change::Lost);
                tracing::warn!(
                    "stopped hearing changes: the tenancy cache is off until relistening"
                );
            }
            Err(e) => tracing::warn!(error = %e, "cannot listen for changes; retrying"),
        }
        tokio::time::sleep(RETRY).await;
    }
}

async fn listen(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    // A lost connection ends the loop above (`try_recv` answers `None`); `follow` connects
    // anew and reports `Listening` only once it listens again.
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
