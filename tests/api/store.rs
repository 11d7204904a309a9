//! One store suite, run on embedded SQLite and on PostgreSQL (when `DATABASE_URL` points at one;
//! CI always sets it).

use std::time::Duration;

use passerelle::crypto::CryptoError;
use passerelle::crypto::Keyring;
use passerelle::domain::connection::{
    ConnectionFacts, ConnectorKind, Credential, Credentials, NewConnection,
};
use passerelle::domain::consumer::{ConsumerFilter, ConsumerPatch, NewConsumer};
use passerelle::store::{
    Begun, Datalayer, Enabled, IdempotencyKey, Lease, MovementYear, NewAccount, Outcome, Record,
    RecordChange, Store, StoreError,
};
use uuid::Uuid;

use crate::support::{random_key, TestDb};

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name(crate::support::TestDb::sqlite()).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                match std::env::var("DATABASE_URL") {
                    Ok(url) if url.starts_with("postgres") => {
                        super::$name(crate::support::TestDb::postgres(url).await).await
                    }
                    _ => eprintln!("DATABASE_URL is not PostgreSQL: the PostgreSQL run is skipped"),
                }
            })*
        }
    };
}

on_both_backends!(
    accounts_are_found_by_client_id_which_is_unique,
    consumers_are_scoped_to_their_account,
    credentials_survive_a_key_rotation,
    a_rotation_that_cannot_open_a_row_changes_nothing,
    credentials_copied_to_another_connection_consumer_or_account_do_not_open,
    credentials_sealed_for_the_connection_only_still_open_and_are_resealed,
    only_one_concurrent_caller_claims_a_client_request_id,
    an_uncertain_or_abandoned_request_is_claimed_again_as_the_same_write,
    records_past_retention_are_purged_and_live_ones_kept,
    replacing_a_set_names_each_record_added_changed_or_removed_after_its_first_load,
    a_set_loaded_in_batches_tombstones_what_the_load_did_not_see,
    a_year_of_movements_is_read_whole_from_one_generation,
    a_slot_is_taken_only_while_more_than_the_reserve_is_free,
);

async fn open(db: &TestDb) -> Store {
    let store = Store::open(&db.url).await.unwrap();
    store.migrate().await.expect("migrating twice is a no-op");
    store
}

async fn account(store: &Store, client_id: &str) -> Uuid {
    let new = NewAccount { name: "Acme", client_id, client_secret_hash: "$argon2id$x" };
    store.accounts().insert(&new).await.unwrap().id
}

fn consumer(name: &str) -> NewConsumer {
    NewConsumer { name: name.into(), email: None, internal_reference: None, redirect_url: None }
}

fn credentials(token: &str) -> Credentials {
    Credentials(vec![Credential { key: "api_token".into(), value: token.into() }])
}

async fn accounts_are_found_by_client_id_which_is_unique(db: TestDb) {
    let store = open(&db).await;
    let id = account(&store, "pc_one").await;
    let (found, hash) = store.accounts().find_by_client_id("pc_one").await.unwrap().unwrap();
    assert_eq!((found.id, found.name.as_str(), hash.as_str()), (id, "Acme", "$argon2id$x"));
    assert_eq!(store.accounts().find(id).await.unwrap().unwrap().client_id, "pc_one");
    assert!(store.accounts().find_by_client_id("pc_two").await.unwrap().is_none());
    let again = NewAccount { name: "B", client_id: "pc_one", client_secret_hash: "h" };
    assert!(matches!(store.accounts().insert(&again).await, Err(StoreError::Conflict(_))));
}

async fn consumers_are_scoped_to_their_account(db: TestDb) {
    let store = open(&db).await;
    let (a, b) = (account(&store, "pc_a").await, account(&store, "pc_b").await);
    let mine = store.consumers().insert(a, &consumer("Mine")).await.unwrap();
    store.consumers().insert(b, &consumer("Theirs")).await.unwrap();
    let listed = store.consumers().list(a, &ConsumerFilter::default()).await.unwrap();
    assert_eq!(listed, vec![mine.clone()]);
    assert!(store.consumers().find(b, mine.id).await.unwrap().is_none());
    let patch = ConsumerPatch { name: Some("Hacked".into()), ..Default::default() };
    assert!(store.consumers().update(b, mine.id, &patch).await.unwrap().is_none());
    assert!(!store.consumers().delete(b, mine.id).await.unwrap());
    assert_eq!(store.consumers().find(a, mine.id).await.unwrap().unwrap().name, "Mine");
    let renamed = store.consumers().update(a, mine.id, &patch).await.unwrap().unwrap();
    assert_eq!(renamed.name, "Hacked");
    assert!(store.consumers().delete(a, mine.id).await.unwrap());
}

async fn with_connections(store: &Store, keyring: &Keyring, n: usize) -> (Uuid, Uuid, Vec<Uuid>) {
    with_connections_of(store, keyring, "pc_rot", n).await
}

async fn with_connections_of(
    store: &Store,
    keyring: &Keyring,
    client_id: &str,
    n: usize,
) -> (Uuid, Uuid, Vec<Uuid>) {
    let acc = account(store, client_id).await;
    let cons = store.consumers().insert(acc, &consumer("C")).await.unwrap().id;
    let mut ids = vec![];
    for i in 0..n {
        let new = NewConnection {
            id: Uuid::new_v4(),
            consumer_id: cons,
            kind: ConnectorKind::MyUnisoft,
            name: format!("conn {i}"),
            credentials: credentials(&format!("token-{i}")),
            facts: ConnectionFacts::Society { society_id: 4821, schema_id: Some(80) },
        };
        ids.push(store.connections().insert(keyring, acc, &new).await.unwrap().id);
    }
    (acc, cons, ids)
}

async fn credentials_survive_a_key_rotation(db: TestDb) {
    let store = open(&db).await;
    let (old, new) = (random_key(), random_key());
    let before = Keyring::new(old.clone(), vec![]);
    let (acc, cons, ids) = with_connections(&store, &before, 3).await;
    let during = Keyring::new(new.clone(), vec![old]);
    assert_eq!(store.connections().reseal_all(&during).await.unwrap(), 3);
    assert_eq!(store.connections().reseal_all(&during).await.unwrap(), 0, "idempotent");
    let after = Keyring::new(new, vec![]);
    for (i, id) in ids.iter().enumerate() {
        let opened =
            store.connections().credentials(&after, acc, cons, *id).await.unwrap().unwrap();
        assert_eq!(opened, credentials(&format!("token-{i}")));
    }
}

async fn a_rotation_that_cannot_open_a_row_changes_nothing(db: TestDb) {
    let store = open(&db).await;
    let old = random_key();
    let before = Keyring::new(old.clone(), vec![]);
    let (acc, cons, ids) = with_connections(&store, &before, 2).await;
    let forgot_the_old_key = Keyring::new(random_key(), vec![]);
    assert!(store.connections().reseal_all(&forgot_the_old_key).await.is_err());
    for id in ids {
        assert!(store.connections().credentials(&before, acc, cons, id).await.unwrap().is_some());
    }
}

fn lease(secs: u64) -> Lease {
    Lease { owner: Uuid::new_v4(), length: Duration::from_secs(secs) }
}

/// A second pool on the test database, for what the store never does (tampering with rows).
async fn raw(db: &TestDb) -> sqlx::AnyPool {
    sqlx::AnyPool::connect(&db.url).await.unwrap()
}

/// Copies the sealed credentials of connection `from` onto connection `to`, as someone with write
/// access to the database could.
async fn copy_sealed(pool: &sqlx::AnyPool, from: Uuid, to: Uuid) {
    let (key_id, nonce, credentials, aad_version): (String, Vec<u8>, Vec<u8>, i64) =
        sqlx::query_as(
            "SELECT key_id, nonce, credentials, aad_version FROM connections WHERE id = $1",
        )
        .bind(from.to_string())
        .fetch_one(pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE connections SET key_id = $2, nonce = $3, credentials = $4, aad_version = $5 \
         WHERE id = $1",
    )
    .bind(to.to_string())
    .bind(key_id)
    .bind(nonce)
    .bind(credentials)
    .bind(aad_version)
    .execute(pool)
    .await
    .unwrap();
}

async fn credentials_copied_to_another_connection_consumer_or_account_do_not_open(db: TestDb) {
    let store = open(&db).await;
    let keyring = Keyring::new(random_key(), vec![]);
    let (acc, cons, mine) = with_connections_of(&store, &keyring, "pc_mine", 2).await;
    let (other_acc, other_cons, theirs) =
        with_connections_of(&store, &keyring, "pc_theirs", 1).await;
    let neighbour = store.consumers().insert(acc, &consumer("Neighbour")).await.unwrap().id;
    let new = NewConnection {
        id: Uuid::new_v4(),
        consumer_id: neighbour,
        kind: ConnectorKind::MyUnisoft,
        name: "neighbour".into(),
        credentials: credentials("neighbour-token"),
        facts: ConnectionFacts::Society { society_id: 4822, schema_id: Some(80) },
    };
    let next_door = store.connections().insert(&keyring, acc, &new).await.unwrap().id;
    let pool = raw(&db).await;
    let tampered = |r: Result<Option<Credentials>, StoreError>| {
        matches!(r, Err(StoreError::Crypto(CryptoError::Tampered)))
    };
    let repo = store.connections();

    copy_sealed(&pool, mine[0], mine[1]).await;
    assert!(tampered(repo.credentials(&keyring, acc, cons, mine[1]).await), "other connection");
    copy_sealed(&pool, mine[0], next_door).await;
    assert!(
        tampered(repo.credentials(&keyring, acc, neighbour, next_door).await),
        "other consumer"
    );
    copy_sealed(&pool, mine[0], theirs[0]).await;
    let opened = repo.credentials(&keyring, other_acc, other_cons, theirs[0]).await;
    assert!(tampered(opened), "other account");
    let original = repo.credentials(&keyring, acc, cons, mine[0]).await.unwrap().unwrap();
    assert_eq!(original, credentials("token-0"));
}

async fn credentials_sealed_for_the_connection_only_still_open_and_are_resealed(db: TestDb) {
    let store = open(&db).await;
    let keyring = Keyring::new(random_key(), vec![]);
    let (acc, cons, ids) = with_connections(&store, &keyring, 3).await;
    let pool = raw(&db).await;
    // As sealed before credentials were bound to their account and consumer.
    for (i, id) in ids.iter().enumerate() {
        let plaintext = serde_json::to_vec(&credentials(&format!("token-{i}"))).unwrap();
        let sealed = keyring.seal(&id.to_string(), &plaintext).unwrap();
        sqlx::query(
            "UPDATE connections SET key_id = $2, nonce = $3, credentials = $4, aad_version = 1 \
             WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(sealed.key_id)
        .bind(sealed.nonce)
        .bind(sealed.ciphertext)
        .execute(&pool)
        .await
        .unwrap();
    }
    let version = |id: Uuid| {
        let pool = pool.clone();
        async move {
            let (v,): (i64,) = sqlx::query_as("SELECT aad_version FROM connections WHERE id = $1")
                .bind(id.to_string())
                .fetch_one(&pool)
                .await
                .unwrap();
            v
        }
    };
    let repo = store.connections();
    let read = repo.credentials(&keyring, acc, cons, ids[0]).await.unwrap().unwrap();
    assert_eq!(read, credentials("token-0"));
    assert_eq!(version(ids[0]).await, 2, "re-sealed when read");
    assert_eq!(repo.reseal_all(&keyring).await.unwrap(), 2, "the two rows not read yet");
    assert_eq!(repo.reseal_all(&keyring).await.unwrap(), 0);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(version(*id).await, 2);
        let opened = repo.credentials(&keyring, acc, cons, *id).await.unwrap().unwrap();
        assert_eq!(opened, credentials(&format!("token-{i}")));
    }
    // Once re-sealed, the row opens for its own consumer only.
    let other = store.consumers().insert(acc, &consumer("Other")).await.unwrap().id;
    sqlx::query("UPDATE connections SET consumer_id = $2 WHERE id = $1")
        .bind(ids[1].to_string())
        .bind(other.to_string())
        .execute(&pool)
        .await
        .unwrap();
    let moved = repo.credentials(&keyring, acc, other, ids[1]).await;
    assert!(matches!(moved, Err(StoreError::Crypto(CryptoError::Tampered))));
}

async fn only_one_concurrent_caller_claims_a_client_request_id(db: TestDb) {
    let store = open(&db).await;
    let acc = account(&store, "pc_idem").await;
    let cons = store.consumers().insert(acc, &consumer("C")).await.unwrap().id;
    let key = IdempotencyKey { consumer_id: cons, client_request_id: "req-1".into() };
    let connection = Uuid::new_v4();
    let attempts = (0..8).map(|_| {
        let (store, key) = (store.clone(), key.clone());
        tokio::spawn(async move {
            let lease = lease(30);
            let begun = store.idempotency().begin(&key, R, connection, Uuid::new_v4(), lease).await;
            (begun, lease)
        })
    });
    let mut owners = vec![];
    for attempt in attempts {
        match attempt.await.unwrap() {
            (Ok(Begun::Claimed(write)), lease) => {
                assert!(!write.resumed);
                owners.push(lease.owner);
            }
            (Ok(Begun::Seen(record)), _) => {
                assert_eq!(record.status_code, None, "still in process")
            }
            (Err(e), _) => panic!("{e}"),
        }
    }
    assert_eq!(owners.len(), 1);
    let done = (200, Outcome::Definitive);
    store.idempotency().finish(&key, owners[0], done, Some("E1")).await.unwrap();
    let Begun::Seen(done) =
        store.idempotency().begin(&key, R, connection, Uuid::new_v4(), lease(30)).await.unwrap()
    else {
        panic!("a finished key is not claimed again");
    };
    assert_eq!((done.status_code, done.created_entity_id.as_deref()), (Some(200), Some("E1")));
    assert_eq!(store.idempotency().find(&key, connection).await.unwrap(), Some(done));
    assert_eq!(store.idempotency().find(&key, Uuid::new_v4()).await.unwrap(), None);
}

const R: (&str, &str) = ("POST", "/r");

async fn an_uncertain_or_abandoned_request_is_claimed_again_as_the_same_write(db: TestDb) {
    let store = open(&db).await;
    let acc = account(&store, "pc_resume").await;
    let cons = store.consumers().insert(acc, &consumer("C")).await.unwrap().id;
    let key = IdempotencyKey { consumer_id: cons, client_request_id: "req-9".into() };
    let (connection, first_write) = (Uuid::new_v4(), Uuid::new_v4());
    let idem = store.idempotency();
    let first = lease(30);
    let Begun::Claimed(write) = idem.begin(&key, R, connection, first_write, first).await.unwrap()
    else {
        panic!("a new key is claimed");
    };
    assert_eq!(write.id, first_write);
    idem.finish(&key, first.owner, (502, Outcome::Uncertain), None).await.unwrap();
    // Another route with the same id is not this request: it is answered, not resumed.
    let other = idem.begin(&key, ("POST", "/other"), connection, Uuid::new_v4(), lease(30)).await;
    assert!(matches!(other.unwrap(), Begun::Seen(r) if r.status_code == Some(502)));
    // A replay resumes it as the first write; a second replay meanwhile is told it runs.
    let Begun::Claimed(resumed) =
        idem.begin(&key, R, connection, Uuid::new_v4(), lease(1)).await.unwrap()
    else {
        panic!("an uncertain request is resumed");
    };
    assert_eq!((resumed.id, resumed.resumed), (first_write, true));
    let running = idem.begin(&key, R, connection, Uuid::new_v4(), lease(30)).await.unwrap();
    assert!(matches!(running, Begun::Seen(r) if r.status_code.is_none()));
    // Its owner stops renewing (it died): once the lease runs out, the next replay takes over.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let taker = lease(30);
    let Begun::Claimed(taken) =
        idem.begin(&key, R, connection, Uuid::new_v4(), taker).await.unwrap()
    else {
        panic!("an expired lease is taken over");
    };
    assert_eq!((taken.id, taken.resumed), (first_write, true));
    assert!(idem.renew(&key, taker).await.unwrap());
    assert!(!idem.renew(&key, lease(30)).await.unwrap(), "only the owner renews");
}

async fn records_past_retention_are_purged_and_live_ones_kept(db: TestDb) {
    let store = open(&db).await;
    let acc = account(&store, "pc_purge").await;
    let cons = store.consumers().insert(acc, &consumer("C")).await.unwrap().id;
    let idem = store.idempotency();
    let key = |id: &str| IdempotencyKey { consumer_id: cons, client_request_id: id.into() };
    let connection = Uuid::new_v4();
    let done = lease(30);
    idem.begin(&key("old"), R, connection, Uuid::new_v4(), done).await.unwrap();
    idem.finish(&key("old"), done.owner, (200, Outcome::Definitive), None).await.unwrap();
    idem.begin(&key("running"), R, connection, Uuid::new_v4(), lease(30)).await.unwrap();
    let after_both = chrono::Utc::now() + chrono::Duration::seconds(1);
    assert_eq!(idem.purge(after_both).await.unwrap(), 1, "the running one is kept");
    assert_eq!(idem.find(&key("old"), connection).await.unwrap(), None);
    assert!(idem.find(&key("running"), connection).await.unwrap().is_some());
    let before_both = chrono::Utc::now() - chrono::Duration::days(1);
    assert_eq!(idem.purge(before_both).await.unwrap(), 0);
}

/// A connection with the data layer enabled (nothing stored yet).
async fn datalayer_enabled(store: &Store, prefix: &str) -> Uuid {
    let keyring = Keyring::new(random_key(), vec![]);
    let (account, consumer, ids) = with_connections_of(store, &keyring, prefix, 1).await;
    let enabled = Enabled {
        connection: ids[0],
        account,
        consumer,
        from_date: None,
        folders: None,
        covered_from: None,
        covers_all: false,
        last_sync_at: None,
        next_run_at: 0,
        last_error: None,
        last_error_at: None,
        webhook_id: None,
        webhook_refused: None,
        targets: None,
    };
    store.datalayer().enable(&enabled, 0).await.unwrap();
    ids[0]
}

/// A streamed load: each batch stored as it comes (a record read twice as last read), what the
/// load did not see tombstoned at its end, unless written since the load began.
async fn a_set_loaded_in_batches_tombstones_what_the_load_did_not_see(db: TestDb) {
    let store = open(&db).await;
    let connection = datalayer_enabled(&store, "pc_batches").await;
    let record = |id: &str, body: &str| Record { id: id.into(), body: body.into() };
    let load = |batches: Vec<Vec<Record>>, seen: i64| {
        let store = store.clone();
        async move {
            let (mut changed, mut position) = (vec![], 0);
            for batch in batches {
                let mut tx = store.begin().await.unwrap();
                let (_, named) = Datalayer::upsert_batch_on(
                    &mut tx, connection, 7, "entries", &batch, position, seen, seen,
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
                changed.extend(named.into_iter().map(|c| (c.id, c.change)));
                position += batch.len() as i64;
            }
            let mut tx = store.begin().await.unwrap();
            let swept = Datalayer::sweep_unseen_on(&mut tx, connection, 7, "entries", seen, seen)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            changed.extend(swept.into_iter().map(|c| (c.id, c.change)));
            changed.sort_by(|x, y| x.0.cmp(&y.0));
            changed
        }
    };
    let dl = store.datalayer();
    let stored = || dl.read_set(connection, 7, "entries");
    assert!(!dl.is_stored(connection, 7, "entries").await.unwrap());
    let first =
        vec![vec![record("a", "1"), record("b", "1"), record("a", "2")], vec![record("c", "1")]];
    let added = load(first, 10).await;
    assert_eq!(added.len(), 3, "{added:?}");
    assert!(dl.is_stored(connection, 7, "entries").await.unwrap());
    assert_eq!(stored().await.unwrap().unwrap(), ["1", "2", "1"], "b, a as read last, c");

    // Written while the next load runs (after it began): kept though the load did not see it.
    let mut tx = store.begin().await.unwrap();
    Datalayer::upsert_on(&mut tx, connection, 7, "entries", &record("w", "1"), 25).await.unwrap();
    tx.commit().await.unwrap();
    let second = vec![vec![record("c", "1"), record("a", "3")], vec![record("d", "1")]];
    assert_eq!(
        load(second, 20).await,
        [
            ("a".into(), RecordChange::Changed),
            ("b".into(), RecordChange::Removed),
            ("d".into(), RecordChange::Added),
        ]
    );
    assert_eq!(stored().await.unwrap().unwrap(), ["1", "3", "1", "1"], "c, a, d, then w");
    let revived = load(vec![vec![record("b", "1")]], 30).await;
    assert!(revived.contains(&("b".into(), RecordChange::Added)), "{revived:?}");
}

/// A year's movements: a new generation is staged beside the one read, and replaces it whole.
async fn a_year_of_movements_is_read_whole_from_one_generation(db: TestDb) {
    let store = open(&db).await;
    let connection = datalayer_enabled(&store, "pc_movements").await;
    let dl = store.datalayer();
    let day = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
    let year =
        |generation| MovementYear { start: day("2026-01-01"), end: day("2026-12-31"), generation };
    let lines = |texts: &[&str]| texts.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
    let read = |from, to| dl.movement_year(connection, 4, day(from), day(to));
    assert_eq!(read("2026-02-01", "2026-03-31").await.unwrap(), None);

    dl.stage_movements(connection, 4, &year(1), 0, &lines(&["a", "b"])).await.unwrap();
    dl.stage_movements(connection, 4, &year(1), 2, &lines(&["c"])).await.unwrap();
    assert!(dl.switch_movements(connection, 4, &year(1), 3).await.unwrap());
    let (found, count) = read("2026-02-01", "2026-03-31").await.unwrap().unwrap();
    assert_eq!((found, count), (year(1), 3));
    assert_eq!(read("2025-12-01", "2026-03-31").await.unwrap(), None, "not inside the year");
    let page = dl.movement_lines(connection, 4, &found, 1, 10).await.unwrap();
    assert_eq!(page, [(1, "b".to_owned()), (2, "c".to_owned())]);

    dl.stage_movements(connection, 4, &year(2), 0, &lines(&["x"])).await.unwrap();
    let (before, _) = read("2026-01-01", "2026-12-31").await.unwrap().unwrap();
    assert_eq!(dl.movement_lines(connection, 4, &before, 0, 10).await.unwrap().len(), 3);
    assert!(dl.switch_movements(connection, 4, &year(2), 1).await.unwrap());
    let (after, _) = read("2026-01-01", "2026-12-31").await.unwrap().unwrap();
    assert_eq!(dl.movement_lines(connection, 4, &after, 0, 10).await.unwrap(), [(0, "x".into())]);
    assert!(dl.movement_lines(connection, 4, &year(1), 0, 10).await.unwrap().is_empty());

    // A generation that lacks lines is dropped, not switched to.
    dl.stage_movements(connection, 4, &year(3), 0, &lines(&["y"])).await.unwrap();
    assert!(!dl.switch_movements(connection, 4, &year(3), 2).await.unwrap());
    assert_eq!(read("2026-01-01", "2026-12-31").await.unwrap().unwrap().0, year(2));
    assert!(dl.movement_lines(connection, 4, &year(3), 0, 10).await.unwrap().is_empty());

    // Forgotten while a generation was being written: neither the old one nor it is read.
    dl.stage_movements(connection, 4, &year(4), 0, &lines(&["z"])).await.unwrap();
    dl.forget_movements(connection, 4, 5).await.unwrap();
    assert_eq!(read("2026-01-01", "2026-12-31").await.unwrap(), None);
    dl.stage_movements(connection, 4, &year(4), 1, &lines(&["z2"])).await.unwrap();
    assert!(!dl.switch_movements(connection, 4, &year(4), 1).await.unwrap());
    assert_eq!(read("2026-01-01", "2026-12-31").await.unwrap(), None);
}

/// What the data layer's sync announces: the first load of a set is not news; then each record
/// added, changed (by content) or removed is named, a removed one with its last JSON.
async fn replacing_a_set_names_each_record_added_changed_or_removed_after_its_first_load(
    db: TestDb,
) {
    let store = open(&db).await;
    let keyring = Keyring::new(random_key(), vec![]);
    let (account, consumer, ids) = with_connections_of(&store, &keyring, "pc_dl", 1).await;
    let connection = ids[0];
    let enabled = Enabled::new(connection, account, consumer, None, None);
    store.datalayer().enable(&enabled, 0).await.unwrap();
    let record = |id: &str, body: &str| Record { id: id.into(), body: body.into() };
    let replace = |records: Vec<Record>| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let done = Datalayer::replace_set_on(&mut tx, connection, 7, "clients", &records, 1)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            done
        }
    };
    let first = replace(vec![record("a", r#"{"id":"a"}"#), record("b", r#"{"id":"b"}"#)]).await;
    assert!(first.first_load);
    assert_eq!(first.changes.added, 2);

    let next = vec![record("a", r#"{"id":"a","name":"x"}"#), record("c", r#"{"id":"c"}"#)];
    let second = replace(next.clone()).await;
    assert!(!second.first_load);
    let mut seen: Vec<(String, RecordChange, Option<String>)> =
        second.changed.into_iter().map(|c| (c.id, c.change, c.body)).collect();
    seen.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        seen,
        [
            ("a".into(), RecordChange::Changed, Some(r#"{"id":"a","name":"x"}"#.into())),
            ("b".into(), RecordChange::Removed, Some(r#"{"id":"b"}"#.into())),
            ("c".into(), RecordChange::Added, Some(r#"{"id":"c"}"#.into())),
        ]
    );
    assert!(replace(next).await.changed.is_empty(), "nothing changed, nothing named");

    // One record written (read your writes): named only when it changes what is stored.
    let written = record("c", r#"{"id":"c"}"#);
    let mut tx = store.begin().await.unwrap();
    let same = Datalayer::upsert_on(&mut tx, connection, 7, "clients", &written, 2).await.unwrap();
    assert_eq!(same, None);
    let new = record("d", r#"{"id":"d"}"#);
    let added = Datalayer::upsert_on(&mut tx, connection, 7, "clients", &new, 2).await.unwrap();
    assert_eq!(added, Some(RecordChange::Added));
    let elsewhere = Datalayer::upsert_on(&mut tx, connection, 8, "clients", &new, 2).await.unwrap();
    assert_eq!(elsewhere, None, "a set not stored is left alone");
    tx.commit().await.unwrap();
}

async fn a_slot_is_taken_only_while_more_than_the_reserve_is_free(db: TestDb) {
    let store = open(&db).await;
    let slots = store.slots();
    let (now, lease) = (1_000_000, 10_000);
    // The bucket's rows are created by the first look.
    assert_eq!(slots.try_acquire("rate:k", 3, 1, now, lease).await.unwrap(), Err(now));
    let first = slots.try_acquire("rate:k", 3, 1, now, lease).await.unwrap().unwrap();
    let second = slots.try_acquire("rate:k", 3, 1, now, lease).await.unwrap().unwrap();
    assert_ne!(first.slot, second.slot);
    // One slot left, kept free: refused, told when the first held one frees up.
    assert_eq!(slots.try_acquire("rate:k", 3, 1, now, lease).await.unwrap(), Err(now + lease));
    let last = slots.try_acquire("rate:k", 3, 0, now, lease).await.unwrap().unwrap();
    assert!(![first.slot, second.slot].contains(&last.slot));
}
