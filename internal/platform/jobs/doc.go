// Package jobs runs the platform's processing as durable jobs on River
// (github.com/riverqueue/river), in the same database as the metadata
// (SQLite, or PostgreSQL through River's pgx v5 driver), so that an asset's
// job is queued in the transaction that makes the asset waiting and
// survives a crash.
//
// # Recovery
//
// A job stuck in River's "running" state after its process died is picked up
// again in two ways. River's rescuer retries jobs running longer than
// [Config.RescueAfter] (for a queue shared by several processes). And at
// [Queue.Start], the jobs the previous run of this server left running are
// made available again at once, and their assets reset to waiting: no asset
// stays "processing" after a restart. On an embedded SQLite database, which
// one process owns (the platform holds a lock on the data directory), those
// are all running jobs; on a PostgreSQL database shared by several servers,
// those last attempted by a River client of the same [Config.Instance] (the
// data directory's ID). A job whose asset was deleted finishes without work.
//
// # Queues
//
// Processing jobs go to [Config.Queue] (River's default queue unless set):
// servers that share a PostgreSQL database but keep sources in a local
// directory each work their own queue, so that no server takes a job whose
// source it does not hold. Webhook deliveries need no files and share
// [WebhookQueue].
//
// # Failures
//
// A source that cannot be processed (not media, a playlist, over the limits)
// fails its asset at once with the reason; other errors are retried up to
// [MaxAttempts] times, the last failure failing the asset. A job cancelled by
// shutdown is snoozed, not failed, so that the next start runs it again.
//
// # Webhooks
//
// A final status (ready or failed) and the River jobs that deliver its
// webhook events are written in one transaction (InsertManyTx), so a crash
// can neither lose an event nor send one for a change that was rolled back.
// Deliveries run on a queue of their own and are retried with backoff.
//
// # Disk use
//
// A ready asset records the bytes of the files processing made, and a
// downloaded source its size, which count towards [Config.Quota]; a
// download that does not fit fails its asset.
package jobs
