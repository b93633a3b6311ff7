// Package scheduler runs the rows of the task table (contract sidecars.md
// §10.3) with robfig/cron: 5-field expressions, descriptors and @every. It
// honours the active flag and the as_user_id user, follows changes to the
// table live, records last_run, next_run and last_error on the row, keeps
// a short run history per task, and asks a Lease before each run so a
// cluster runs every task once.
package scheduler
